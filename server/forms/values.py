"""Reading and writing an entry's canonical fields (DESIGN.md) on the Entry, its leader and (for
an e-station agent's entry) the farmer it is filed for."""
from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import Attachment, Entry, Person
from .applicability import applies, dependants
from .catalogue import entry_steps

# canonical field → Entry attribute (fields under leader.* live on the leader Person)
ENTRY_ATTRS = {
    "category": "category", "industry": "industry", "title": "title", "unit": "unit_id",
    "started_on": "started_on", "completed_on": "completed_on",
    "applied_on": "applied_on", "in_production": "in_production", "funded_project": "funded_project",
    "patent.granted": "patent_granted", "patent.number": "patent_number",
    "patent.announced_on": "patent_announced_on", "summary": "summary",
    "benefit.kind": "benefit_kind", "benefit.amount": "benefit_amount",
    "benefit.description": "benefit_description", "filled_by": "filled_by",
    "responsible_person": "responsible_person",
}
LEADER_ATTRS = ("name", "occupation", "gender", "birth_month", "phone", "work_start", "political_status",
                "professional_title", "skill_level", "education", "highest_honor", "bio", "deeds")


def leader_photo(entry: Entry) -> Attachment | None:
    if entry.leader_id is None:
        return None
    return db.session.scalar(select(Attachment).where(
        Attachment.person_id == entry.leader_id, Attachment.kind == "photo").order_by(Attachment.id.desc()))


def get_value(entry: Entry, field: str):
    if field in ENTRY_ATTRS:
        return getattr(entry, ENTRY_ATTRS[field])
    if field == "leader.photo":
        photo = leader_photo(entry)
        return photo.id if photo else None
    if field == "attachments":
        return [a.id for a in entry.attachments if a.kind != "photo"]
    if field.startswith("leader."):
        return getattr(entry.leader, field[7:]) if entry.leader else None
    if field.startswith("farmer."):
        applicant = entry.applicant
        if applicant is None:
            return None
        if field == "farmer.consent":
            return True if applicant.consent_at else None
        return getattr(applicant, {"farmer.name": "name", "farmer.phone": "phone",
                                   "farmer.village": "village"}[field])
    raise KeyError(field)


def is_filled(entry: Entry, field: str) -> bool:
    value = get_value(entry, field)
    return value not in (None, "", [])


def ensure_leader(entry: Entry) -> Person:
    if entry.leader is None:
        entry.leader = Person(name="")
        db.session.add(entry.leader)
    return entry.leader


def set_value(entry: Entry, field: str, value) -> None:
    if field in ENTRY_ATTRS:
        setattr(entry, ENTRY_ATTRS[field], value)
    elif field.startswith("leader.") and field[7:] in LEADER_ATTRS:
        setattr(ensure_leader(entry), field[7:], value if value is not None else ("" if field == "leader.name" else None))
    else:
        raise KeyError(field)
    _clear_dependants(entry, field, value)


def _clear_dependants(entry: Entry, field: str, value) -> None:
    """Answers that no longer apply are removed, so the entry never holds a contradiction
    (no patent number without a patent, no amount on a social benefit)."""
    for step in dependants(field, entry_steps()):
        if not applies(step, lambda f: get_value(entry, f)) and is_filled(entry, step.field):
            set_value(entry, step.field, None)
