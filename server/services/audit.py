"""The audit trail: every status change, score and sensitive action (DESIGN convention 10)."""
from __future__ import annotations

from ..extensions import db
from ..models import AuditEvent, User


def record(actor: User | None, action: str, object_type: str, object_id: int | None, *,
           from_status: str | None = None, to_status: str | None = None,
           reason: str | None = None, data: dict | None = None) -> AuditEvent:
    """Add an audit row to the caller's transaction (the caller commits)."""
    event = AuditEvent(actor_id=actor.id if actor else None, action=action,
                       object_type=object_type, object_id=object_id, from_status=from_status,
                       to_status=to_status, reason=reason, data=data)
    db.session.add(event)
    return event
