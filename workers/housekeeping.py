"""Housekeeping jobs."""
from __future__ import annotations

from .app_context import with_app


@with_app
def purge_expired_sessions(older_than_days: int = 7) -> int:
    """Delete login sessions that expired or were revoked more than N days ago (idempotent)."""
    from rq import Queue

    from server.extensions import redis_client
    from server.services.sessions import purge_expired
    from .periodic import schedule_next
    removed = purge_expired(older_than_days)
    schedule_next(Queue("low", connection=redis_client()), "housekeeping_purge_sessions")
    return removed
