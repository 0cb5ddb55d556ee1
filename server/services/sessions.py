"""Login sessions kept tidy: expired and revoked ones are deleted after a while."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, or_

from ..extensions import db
from ..models import AuthSession
from ..timeutil import utcnow


def purge_expired(older_than_days: int = 7) -> int:
    cutoff = utcnow() - timedelta(days=older_than_days)
    result = db.session.execute(delete(AuthSession).where(or_(
        AuthSession.expires_at < cutoff, AuthSession.revoked_at < cutoff)))
    db.session.commit()
    return result.rowcount or 0
