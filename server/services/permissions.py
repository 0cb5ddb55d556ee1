"""Roles are held over organisation subtrees: a county admin of 城区 manages everything under
城区 and nothing under 泽州县. Checks compare materialised paths."""
from __future__ import annotations

from sqlalchemy import or_, select

from ..errors import Forbidden, NotFound
from ..extensions import db
from ..models import Organisation, User

ADMIN_ROLES = frozenset({"unit_admin", "county_admin", "city_admin"})


def scopes(user: User, roles: frozenset[str] | set[str]) -> list[Organisation]:
    return [a.org for a in user.roles if a.role in roles]


def in_scope(user: User, org: Organisation, roles=ADMIN_ROLES) -> bool:
    return any(scope.contains(org) for scope in scopes(user, roles))


def require_org_in_scope(user: User, org_id: int, roles=ADMIN_ROLES) -> Organisation:
    org = db.session.get(Organisation, org_id)
    if org is None:
        raise NotFound("errors.org_not_found", code="org_not_found", org_id=org_id)
    if not in_scope(user, org, roles):
        raise Forbidden("errors.forbidden_scope", code="out_of_scope")
    return org


def subtree_condition(user: User, roles=ADMIN_ROLES):
    """A SQL condition on Organisation selecting every org the user may manage."""
    paths = [scope.path for scope in scopes(user, roles)]
    if not paths:
        return Organisation.id.is_(None)   # matches nothing
    return or_(*[Organisation.path.startswith(p, autoescape=True) for p in paths])


def managed_orgs(user: User, roles=ADMIN_ROLES) -> list[Organisation]:
    return list(db.session.scalars(
        select(Organisation).where(subtree_condition(user, roles)).order_by(Organisation.path)))
