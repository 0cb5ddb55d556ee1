"""The organisation registry (issue 14 item 4): add, rename, move and retire nodes, within the
subtree the actor manages (policy "org.manage"); every change audited. Names are unique among
a node's live siblings (a duplicate is refused)."""
from __future__ import annotations

from sqlalchemy import String, func, literal, select, update

from ..errors import FieldErrors
from ..extensions import db
from ..models import Organisation, User
from ..models.org import KINDS, SYSTEMS, UNIT_TYPES
from ..texts import t
from ..timeutil import utcnow
from . import policy
from .audit import record
from .orgs import add_org

# No unit employs ten million people; larger figures are typos (and overflow the INTEGER column).
MAX_EMPLOYEES = 10_000_000
ATTRS = ("name", "kind", "unit_type", "system", "employee_count", "model_key", "four_party")
FOUR_PARTY_KINDS = ("county", "city")


def _msg(key: str, **params) -> str:
    return t(f"console.org_errors.{key}", **params)


def tree(actor: User) -> list[Organisation]:
    """The nodes the actor may see, in tree order (a node's children follow it)."""
    return list(db.session.scalars(select(Organisation).where(policy.subtree_condition(actor, "org.view"))
                                   .order_by(Organisation.path)))


def move_targets(actor: User, org: Organisation) -> list[Organisation]:
    """Live nodes the actor manages, outside `org`'s own subtree: where it may be moved.
    ("org.manage" rows are "subtree" rows: one prefix test per node.)"""
    paths = [a.org.path for a in actor.roles if a.role in policy.roles_with("org.manage", "subtree")]
    return [o for o in tree(actor) if o.retired_at is None and not org.contains(o)
            and any(o.path.startswith(p) for p in paths)]


def get_managed(actor: User, org_id: int) -> Organisation:
    from .orgs import get_org
    from ..errors import NotFound
    org = get_org(org_id)
    if org is None:
        raise NotFound("console.org_errors.not_found", code="org_not_found", org_id=org_id)
    policy.require(actor, "org.manage", org)
    return org


def clean(data: dict, parent: Organisation | None, errors: dict, prefix: str = "") -> dict:
    """Check a node's fields (a form's strings or an import's cells); errors[field] on failure."""
    out = {}
    name = str(data.get("name") or "").strip()
    if not 2 <= len(name) <= 200:
        errors[prefix + "name"] = _msg("name")
    out["name"] = name
    kind = str(data.get("kind") or "").strip()
    if kind not in KINDS:
        errors[prefix + "kind"] = _msg("kind", value=kind[:20])
    out["kind"] = kind
    for field, allowed in (("unit_type", UNIT_TYPES), ("system", SYSTEMS)):
        value = str(data.get(field) or "").strip() or None
        if value is not None and value not in allowed:
            errors[prefix + field] = _msg(field, value=value[:20])
        out[field] = value
    raw = data.get("employee_count")
    if raw in (None, ""):
        out["employee_count"] = None
    else:
        try:
            out["employee_count"] = int(str(raw).strip())
            if out["employee_count"] < 0:
                raise ValueError
        except ValueError:
            errors[prefix + "employee_count"] = _msg("employee_count", value=str(raw)[:20])
        else:
            if out["employee_count"] > MAX_EMPLOYEES:   # a typo, and beyond the database's integer column
                errors[prefix + "employee_count"] = _msg("employee_count_range", value=str(raw)[:20],
                                                         max=MAX_EMPLOYEES)
    out["model_key"] = _flag(data.get("model_key")) or False
    out["four_party"] = _flag(data.get("four_party"))
    if out["four_party"] is not None and kind not in FOUR_PARTY_KINDS:
        errors[prefix + "four_party"] = _msg("four_party")
    return out


def _flag(value) -> bool | None:
    text = str(value if value is not None else "").strip().lower()
    if text in ("1", "true", "yes", "on", "是", "有", "y"):
        return True
    if text in ("0", "false", "no", "否", "无", "n"):
        return False
    return None


def _duplicate(name: str, parent_id: int | None, exclude: int | None = None) -> bool:
    return bool(db.session.scalar(select(func.count()).select_from(Organisation).where(
        Organisation.name == name, Organisation.parent_id == parent_id, Organisation.retired_at.is_(None),
        Organisation.id != (exclude or 0))))


def create(actor: User, parent_id: int, data: dict) -> Organisation:
    parent = get_managed(actor, parent_id)
    errors: dict = {}
    values = clean(data, parent, errors)
    if "name" not in errors and _duplicate(values["name"], parent.id):
        errors["name"] = _msg("duplicate", name=values["name"], parent=parent.name)
    if errors:
        raise FieldErrors(errors)
    org = add_org(values.pop("name"), values.pop("kind"), parent, **values)
    record(actor, "org_created", "org", org.id, data={"name": org.name, "parent": parent.name})
    db.session.commit()
    return org


def edit(actor: User, org_id: int, data: dict) -> Organisation:
    org = get_managed(actor, org_id)
    errors: dict = {}
    values = clean(data, org.parent, errors)
    if "name" not in errors and _duplicate(values["name"], org.parent_id, exclude=org.id):
        errors["name"] = _msg("duplicate", name=values["name"], parent=org.parent.name if org.parent else "")
    if errors:
        raise FieldErrors(errors)
    changes = {k: [getattr(org, k), v] for k, v in values.items() if getattr(org, k) != v}
    for key, (_, new) in changes.items():
        setattr(org, key, new)
    if changes:
        record(actor, "org_updated", "org", org.id, data={"changes": changes})
        db.session.commit()
    return org


def move(actor: User, org_id: int, new_parent_id: int | None) -> Organisation:
    org = get_managed(actor, org_id)
    if not new_parent_id:
        raise FieldErrors({"parent_id": _msg("parent_required")})
    parent = get_managed(actor, int(new_parent_id))
    if org.contains(parent):
        raise FieldErrors({"parent_id": _msg("move_into_itself")})
    if _duplicate(org.name, parent.id, exclude=org.id):
        raise FieldErrors({"parent_id": _msg("duplicate", name=org.name, parent=parent.name)})
    old_path, old_parent = org.path, org.parent.name if org.parent else ""
    new_path = f"{parent.path}{org.id}/"
    shift = parent.depth + 1 - org.depth
    db.session.execute(update(Organisation).where(Organisation.path.startswith(old_path, autoescape=True))
                       .values(path=literal(new_path, String).concat(func.substr(Organisation.path, len(old_path) + 1)),
                               depth=Organisation.depth + shift).execution_options(synchronize_session=False))
    org.parent_id = parent.id
    record(actor, "org_moved", "org", org.id, data={"from": old_parent, "to": parent.name})
    db.session.commit()
    db.session.expire_all()
    return org


def retire(actor: User, org_id: int, reason: str | None = None) -> Organisation:
    org = get_managed(actor, org_id)
    live_children = db.session.scalar(select(func.count()).select_from(Organisation).where(
        Organisation.parent_id == org.id, Organisation.retired_at.is_(None)))
    if live_children:
        raise FieldErrors({"retire": _msg("has_children", count=live_children)})
    if org.retired_at is None:
        org.retired_at = utcnow()
        record(actor, "org_retired", "org", org.id, reason=reason, data={"name": org.name})
        db.session.commit()
    return org
