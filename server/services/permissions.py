"""Organisations an office manages, answered by the permission table (policy.py, action
"org.view"): a county admin of 城区 manages everything under 城区 and nothing under 泽州县.
Checks compare materialised paths."""
from __future__ import annotations

from sqlalchemy import select

from ..errors import NotFound
from ..extensions import db
from ..models import Organisation, User
from . import policy


def in_scope(user: User, org: Organisation) -> bool:
    return policy.can(user, "org.view", org)


def require_org_in_scope(user: User, org_id: int) -> Organisation:
    """The organisation, if the user manages it: NotFound (404), Forbidden (403)."""
    org = db.session.get(Organisation, org_id)
    if org is None:
        raise NotFound("errors.org_not_found", code="org_not_found", org_id=org_id)
    policy.require(user, "org.view", org)
    return org


def managed_orgs(user: User) -> list[Organisation]:
    """Every org the user manages, in tree order (empty for someone who manages nothing)."""
    return list(db.session.scalars(
        select(Organisation).where(policy.subtree_condition(user, "org.view")).order_by(Organisation.path)))
