"""People and roles (issue 14 item 5): find users, give or take roles over a subtree (rows
"role.grant.<role>" of the policy table say who may give which role where), invite by phone
(the role applies when that phone binds, services/auth.bind_phone), all audited. Phones are
masked for those without "people.view_phone"."""
from __future__ import annotations

import re

from sqlalchemy import or_, select

from ..errors import FieldErrors, Forbidden, NotFound
from ..extensions import db
from ..models import Organisation, RoleAssignment, RoleInvitation, User
from ..models.user import ROLES
from ..texts import t
from ..timeutil import utcnow
from . import policy
from .audit import record
from .tables import Page, TableQuery, page

PHONE = re.compile(r"1\d{10}")
SORTABLE = {"name": User.name, "id": User.id, "last_login": User.last_login_at}


def _msg(key: str, **params) -> str:
    return t(f"console.people_errors.{key}", **params)


def mask(phone: str | None) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if phone and len(phone) >= 7 else (phone or "")


def phone_shown(actor: User, phone: str | None) -> str:
    return (phone or "") if policy.can(actor, "people.view_phone") else mask(phone)


def find(actor: User, q: TableQuery) -> Page:
    """People holding a role in the actor's subtree; a full phone number finds anyone (to give a
    role to someone who has only logged in). Filters: q (name or phone), role."""
    # One uncorrelated subquery (the users holding a role in scope, of the role asked for):
    # computed once, not per user row.
    holders = (select(RoleAssignment.user_id).join(Organisation, Organisation.id == RoleAssignment.org_id)
               .where(policy.subtree_condition(actor, "people.view")))
    if q.filters.get("role") in ROLES:
        holders = holders.where(RoleAssignment.role == q.filters["role"])
    text = q.filters.get("q", "")
    stmt = select(User)
    if PHONE.fullmatch(text) and not q.filters.get("role"):
        stmt = stmt.where(User.phone == text)
    else:
        stmt = stmt.where(User.id.in_(holders))
        if text:
            stmt = stmt.where(or_(User.name.contains(text, autoescape=True), User.phone.startswith(text, autoescape=True)))
    return page(stmt, q, SORTABLE, "name", tiebreak=User.id)


def get_person(actor: User, user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("console.people_errors.not_found", code="user_not_found", user_id=user_id)
    if not any(policy.can(actor, "people.view", a.org) for a in user.roles) and not policy.holds(actor, "people.view"):
        policy.require(actor, "people.view", None)
    return user


def grant_targets(actor: User, orgs: list[Organisation]) -> tuple[list[str], list[Organisation]]:
    """The roles the actor may give somewhere, and those of `orgs` where they may give one: the
    grant rows are all "subtree" rows, so one prefix test per org instead of a policy walk."""
    roles = list(policy.grantable_roles(actor))
    paths = {a.org.path for r in roles for a in actor.roles
             if a.role in policy.roles_with(f"role.grant.{r}", "subtree")}
    return roles, [o for o in orgs if o.retired_at is None and any(o.path.startswith(p) for p in paths)]


def may_grant(actor: User, role: str, org: Organisation | None) -> bool:
    """May the actor give or take `role` on `org`? (No row at all, e.g. participant: no.)"""
    action = f"role.grant.{role}"
    return action in policy.ACTIONS and policy.can(actor, action, org)


def _require_grant(actor: User, role: str, org: Organisation | None) -> None:
    if not may_grant(actor, role, org):
        raise Forbidden("console.people_errors.not_yours", code="out_of_scope")


def _check_grant(actor: User, role: str, org_id) -> tuple[Organisation | None, dict]:
    errors = {}
    if role not in ROLES or role == "participant":
        errors["role"] = _msg("role")
    org = db.session.get(Organisation, int(org_id)) if str(org_id or "").isdigit() else None
    if org is None or org.retired_at is not None:
        errors["org_id"] = _msg("org")
    if errors:
        raise FieldErrors(errors)
    _require_grant(actor, role, org)
    return org, errors


def grant(actor: User, user_id: int, role: str, org_id) -> RoleAssignment:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("console.people_errors.not_found", code="user_not_found", user_id=user_id)
    org, _ = _check_grant(actor, role, org_id)
    if any(a.role == role and a.org_id == org.id for a in user.roles):
        raise FieldErrors({"role": _msg("already", org=org.name)})
    assignment = RoleAssignment(role=role, org_id=org.id)
    user.roles.append(assignment)
    db.session.flush()
    record(actor, "role_granted", "user", user.id, data={"role": role, "org": org.name})
    db.session.commit()
    return assignment


def revoke(actor: User, assignment_id: int) -> User:
    assignment = db.session.get(RoleAssignment, assignment_id)
    if assignment is None:
        raise NotFound("console.people_errors.not_found", code="role_not_found", user_id=assignment_id)
    _require_grant(actor, assignment.role, assignment.org)
    user = assignment.user
    record(actor, "role_revoked", "user", user.id, data={"role": assignment.role, "org": assignment.org.name})
    user.roles.remove(assignment)
    db.session.commit()
    return user


def invite(actor: User, phone: str, role: str, org_id) -> RoleInvitation | RoleAssignment:
    phone = re.sub(r"[\s-]", "", phone or "")
    if not PHONE.fullmatch(phone):
        errors = {"phone": _msg("phone")}
        try:
            _check_grant(actor, role, org_id)
        except FieldErrors as exc:
            errors.update(exc.errors)
        raise FieldErrors(errors)
    org, _ = _check_grant(actor, role, org_id)
    existing = db.session.scalar(select(User).where(User.phone == phone))
    if existing is not None:
        return grant(actor, existing.id, role, org.id)
    invitation = RoleInvitation(phone=phone, role=role, org_id=org.id, invited_by_id=actor.id)
    db.session.add(invitation)
    db.session.flush()
    record(actor, "role_invited", "org", org.id, data={"role": role, "phone": mask(phone), "invitation": invitation.id})
    db.session.commit()
    return invitation


def pending_invitations(actor: User) -> list[RoleInvitation]:
    in_scope = select(Organisation.id).where(policy.subtree_condition(actor, "people.view"))
    return list(db.session.scalars(select(RoleInvitation).where(
        RoleInvitation.accepted_at.is_(None), RoleInvitation.org_id.in_(in_scope)).order_by(RoleInvitation.id.desc())))


def apply_invitations(user: User) -> int:
    """Turn the invitations waiting for the user's phone into roles (the caller commits)."""
    if not user.phone:
        return 0
    invitations = db.session.scalars(select(RoleInvitation).where(
        RoleInvitation.phone == user.phone, RoleInvitation.accepted_at.is_(None))).all()
    for inv in invitations:
        if not any(a.role == inv.role and a.org_id == inv.org_id for a in user.roles):
            user.roles.append(RoleAssignment(role=inv.role, org_id=inv.org_id))
        inv.accepted_at, inv.accepted_by_id = utcnow(), user.id
        record(user, "invitation_accepted", "user", user.id, data={"role": inv.role, "org": inv.org.name,
                                                                   "invitation": inv.id})
    return len(invitations)
