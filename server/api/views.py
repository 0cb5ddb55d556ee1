"""Shaping models into response schemas, shared by the API modules."""
from ..models import Organisation, User
from .schemas import MeOut, OrgOut, RoleOut, UserOut


def roles_out(user: User) -> list[RoleOut]:
    return [RoleOut(role=a.role, org_id=a.org_id, org_name=a.org.name) for a in user.roles]


def user_out(user: User) -> UserOut:
    return UserOut(id=user.id, name=user.name, roles=roles_out(user))


def me_out(user: User) -> MeOut:
    return MeOut(id=user.id, name=user.name, roles=roles_out(user), phone=user.phone,
                 phone_bound=bool(user.phone))


def org_out(org: Organisation) -> OrgOut:
    return OrgOut(id=org.id, name=org.name, kind=org.kind, unit_type=org.unit_type,
                  system=org.system, employee_count=org.employee_count, parent_id=org.parent_id)
