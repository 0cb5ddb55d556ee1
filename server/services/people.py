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
from .audit import record
from ..texts import t
from ..timeutil import to_china, utcnow

PREFILL = ("occupation", "gender", "birth_month", "phone", "work_start", "political_status", "professional_title",
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


FARMER_ATTRS = {"farmer.name": "name", "farmer.phone": "phone", "farmer.village": "village"}


def farmer_value(farmer: Person | None, field: str):
    if farmer is None:
        return None
    if field == "farmer.consent":
        return True if farmer.consent_at else None
    return getattr(farmer, FARMER_ATTRS[field])


def answer_farmer(ctx: Context, step: Step, farmer: Person, raw) -> list[str]:
    """Store one answer of the farmer's registration (RULES.md: farmers are helped by the staff
    of a rural e-station; filing for them needs their consent, recorded with its time)."""
    value = parse_answer(step, raw, ctx)
    rules.check(step.rules, value, ctx)
    if step.field == "farmer.phone":
        farmer.phone = value
        existing = db.session.scalar(select(User).where(User.phone == value))
        farmer.user_id = existing.id if existing else None
    elif step.field == "farmer.consent":
        farmer.consent_at = utcnow()
        db.session.flush()
        record(ctx.user, "farmer_consent", "person", farmer.id,
               data={"entry_id": ctx.entry.id} if ctx.entry is not None else {})
    else:
        setattr(farmer, FARMER_ATTRS[step.field], value)
    if step.extra.get("said_after") == "farmer_registered" and ctx.entry is not None:
        return [registered_text(farmer)]
    return []


def registered_text(farmer: Person) -> str:
    return t("dialogue.farmer_registered", name=farmer.name,
             at=to_china(farmer.consent_at).strftime("%Y-%m-%d %H:%M"))


def submitted_text(entry: Entry) -> str:
    if entry.agent_id is not None and entry.applicant is not None:
        return t("dialogue.submitted_proxy", farmer=entry.applicant.name, entry_id=entry.id,
                 phone=entry.applicant.phone)
    unit = db.session.get(Organisation, entry.unit_id)
    return t("dialogue.submitted", entry_id=entry.id, unit=unit.name if unit else "")
