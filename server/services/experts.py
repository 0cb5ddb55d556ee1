"""The expert pool and conflicts of interest (issue 16).

An expert never sees or scores an entry of their own unit or county, one they or the office
declared a conflict with, one they lead or filed: the rule is in conflicts.py (read by the
permission scopes too, so it imports no service); declaring a conflict is panels.declare_conflict
(it drops the seats the conflict forbids).

    add_expert(actor, user_id, unit_id, categories, industries) -> Expert
"""
from __future__ import annotations


from sqlalchemy import select

from ..errors import Conflict, NotFound, ValidationError
from ..extensions import db
from ..models import Expert, Organisation, User
from ..models.entry import CATEGORIES
from ..texts import lookup
from . import policy
from .conflicts import expert_of
from .audit import record

def get_expert(expert_id: int) -> Expert:
    expert = db.session.get(Expert, expert_id)
    if expert is None:
        raise NotFound("scoring.errors.expert_unknown", code="expert_unknown", id=expert_id)
    return expert


def office(actor: User | None, action: str, obj=None) -> None:
    """The city office's permission; actor None is the shell operator (flask commands)."""
    if actor is not None:
        policy.require(actor, action, obj)


def list_experts(actor: User | None) -> list[Expert]:
    office(actor, "expert.manage")
    return list(db.session.scalars(select(Expert).order_by(Expert.id)))


def add_expert(actor: User | None, user_id: int, unit_id: int | None = None, categories: list[str] = (),
               industries: list[str] = ()) -> Expert:
    """Put a user in the pool (the office). The expert role itself is held on the city."""
    office(actor, "expert.manage")
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("scoring.errors.user_unknown", code="user_unknown", id=user_id)
    if expert_of(user) is not None:
        raise Conflict("scoring.errors.expert_exists", code="expert_exists")
    unit_id, categories, industries = check_profile(unit_id, categories, industries)
    expert = Expert(user_id=user.id, unit_id=unit_id, categories=list(categories), industries=list(industries))
    db.session.add(expert)
    db.session.flush()
    record(actor, "expert_added", "expert", expert.id,
           data={"user_id": user.id, "unit_id": unit_id, "categories": list(categories), "industries": list(industries)})
    db.session.commit()
    return expert


def check_profile(unit_id, categories, industries) -> tuple[int | None, list[str], list[str]]:
    """An expert's own unit (an organisation or none), categories (codes of the catalogue) and
    industries (short names); [] means any. Returns them clean."""
    bad = [c for c in categories if c not in CATEGORIES]
    if bad:
        raise ValidationError("experts.errors.category", code="invalid", field="categories", value=str(bad[0])[:30],
                              codes="、".join(f"{k}（{v}）" for k, v in lookup("catalog.categories").items()))
    industries = list(dict.fromkeys(i.strip() for i in industries if i and i.strip()))
    if any(len(i) > 30 for i in industries) or len(industries) > 50:
        raise ValidationError("experts.errors.industry", code="invalid", field="industries")
    if unit_id is not None and db.session.get(Organisation, unit_id) is None:
        raise NotFound("experts.errors.unit", code="not_found", field="unit_id", id=unit_id)
    return unit_id, list(dict.fromkeys(categories)), industries
