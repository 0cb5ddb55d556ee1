"""Reading the audit trail (issue 14): one object's history, and the filterable list for offices.
Offices see the rows whose actor works in their subtree or whose object is a node of it; a city
admin held on the top node therefore sees everything."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, or_, select

from ..extensions import db
from ..models import AuditEvent, Organisation, RoleAssignment, User
from ..timeutil import china_day_start_utc
from . import policy
from .tables import Page, TableQuery, page

COUNT_CAP = 10_000
SORTABLE = {"at": AuditEvent.id, "action": AuditEvent.action, "object": AuditEvent.object_type}


def for_object(object_type: str, object_id: int, limit: int = 200) -> list[tuple[AuditEvent, str | None]]:
    rows = db.session.execute(
        select(AuditEvent, User.name).outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.object_type == object_type, AuditEvent.object_id == object_id)
        .order_by(AuditEvent.id.desc()).limit(limit))
    return [(event, name) for event, name in rows]


def listing(actor: User, q: TableQuery) -> Page:
    """Filters: action, object (type), object_id, actor (name), since / until (China dates)."""
    f = q.filters
    stmt = select(AuditEvent, User.name).outerjoin(User, User.id == AuditEvent.actor_id)
    cond = policy.subtree_condition(actor, "audit.view")
    orgs_in_scope = select(Organisation.id).where(cond)
    actors_in_scope = select(RoleAssignment.user_id).where(RoleAssignment.org_id.in_(orgs_in_scope))
    # The scope test wraps actor_id in coalesce() so no planner walks it by the actor index (then
    # sorting every match): the trail is read newest first by id and stops at the page; the index
    # serves only the "who did it" filter below.
    stmt = stmt.where(or_(func.coalesce(AuditEvent.actor_id, 0).in_(actors_in_scope),
                          (AuditEvent.object_type == "org") & AuditEvent.object_id.in_(orgs_in_scope)))
    if f.get("action"):
        stmt = stmt.where(AuditEvent.action == f["action"])
    if f.get("object"):
        stmt = stmt.where(AuditEvent.object_type == f["object"])
    if str(f.get("object_id") or "").isdigit():
        stmt = stmt.where(AuditEvent.object_id == int(f["object_id"]))
    if f.get("actor"):
        named = select(User.id).where(User.name.contains(f["actor"], autoescape=True))
        stmt = stmt.where(AuditEvent.actor_id.in_(named))
    for key, op in (("since", "ge"), ("until", "lt")):
        try:
            day = date.fromisoformat(f.get(key) or "")
        except ValueError:
            continue
        bound = china_day_start_utc(day + (timedelta(days=1) if key == "until" else timedelta()))
        stmt = stmt.where(AuditEvent.at >= bound if op == "ge" else AuditEvent.at < bound)
    return page(stmt, q, SORTABLE, "at", scalars=False, count_cap=COUNT_CAP, tiebreak=AuditEvent.id)
