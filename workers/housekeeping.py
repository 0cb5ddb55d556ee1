"""Housekeeping jobs."""
from __future__ import annotations

from .app_context import with_app
from .periodic import repeats


@with_app
@repeats("housekeeping_purge_sessions")
def purge_expired_sessions(older_than_days: int = 7) -> int:
    """Delete login sessions that expired or were revoked more than N days ago (idempotent)."""
    from server.services.sessions import purge_expired
    return purge_expired(older_than_days)
