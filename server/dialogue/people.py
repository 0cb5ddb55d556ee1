"""The people in a dialogue: the leader when it is the user (prefilled from their profile),
the farmer an e-station agent files for, and what a submitted entry's reply says."""
from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import Entry, Organisation, Person, User
from ..forms import rules
from ..forms.catalogue import Step
from ..forms.parsers import AnswerError
from ..forms.types import Context, parse_answer
from ..forms.values import ensure_leader
from ..services.audit import record
from ..texts import t
from ..timeutil import utcnow

PREFILL = ("gender", "birth_month", "phone", "work_start", "political_status", "professional_title",
           "skill_level", "education", "highest_honor", "bio")


def _profile(user: User, exclude: int | None) -> Person | None:
    """The user's latest leader profile on another entry, to prefill this one."""
    return db.session.scalar(select(Person).where(
        Person.user_id == user.id, Person.id != (exclude or 0), Person.registered_by_id.is_(None))
        .order_by(Person.id.desc()))


def leader_is_me(user: User, entry: Entry, proxy: bool) -> None:
    leader = ensure_leader(entry)
    if proxy:
        farmer = entry.applicant
        leader.name, leader.phone, leader.user_id = farmer.name, farmer.phone, farmer.user_id
        return
    profile = _profile(user, leader.id)
    name = user.name or (profile.name if profile else None)
    if not name:
        raise AnswerError("leader_self_unknown")
    leader.name, leader.user_id = name, user.id
    if profile:
        for attr in PREFILL:
            if getattr(leader, attr) in (None, "") and getattr(profile, attr) not in (None, ""):
                setattr(leader, attr, getattr(profile, attr))
    if not leader.phone and user.phone:
        leader.phone = user.phone


def new_farmer(agent: User) -> Person:
    farmer = Person(name="", registered_by_id=agent.id)
    db.session.add(farmer)
    return farmer


def answer_farmer(ctx: Context, step: Step, raw) -> None:
    farmer = ctx.entry.applicant
    value = parse_answer(step, raw, ctx)
    rules.check(step.rules, value, ctx)
    if step.field == "farmer.name":
        farmer.name = value
    elif step.field == "farmer.phone":
        farmer.phone = value
        existing = db.session.scalar(select(User).where(User.phone == value))
        farmer.user_id = existing.id if existing else None
    elif step.field == "farmer.village":
        farmer.village = value
    elif step.field == "farmer.consent":
        farmer.consent_at = utcnow()
        record(ctx.user, "farmer_consent", "person", farmer.id, data={"entry_id": ctx.entry.id})


def submitted_text(entry: Entry) -> str:
    if entry.agent_id is not None and entry.applicant is not None:
        return t("dialogue.submitted_proxy", farmer=entry.applicant.name, entry_id=entry.id,
                 phone=entry.applicant.phone)
    unit = db.session.get(Organisation, entry.unit_id)
    return t("dialogue.submitted", entry_id=entry.id, unit=unit.name if unit else "")
