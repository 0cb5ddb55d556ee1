"""Skill-grade promotions (技能等级晋升) and the denominators a county enters (issue 18 item 1).

    record_promotion(user, org_id, values) -> SkillPromotion     (unit admin; FieldProblems)
    confirm_promotion(user, promotion_id) -> SkillPromotion      (unit admin; Conflict when done)
    promotions_for(user, org_id) -> list[SkillPromotion]         (the subtree, newest first)
    enter_denominator(user, org_id, values) -> Denominator       (county / industry union admin)
    denominators_for(user, org_id) -> list[Denominator]
    confirmed_promotions(first, last) -> dict[org_id, int]       (for the statistics)
    pending_promotions(first, last) -> dict[org_id, int]         (recorded, awaiting confirmation)
    latest_denominators(by_day) -> dict[(org_id, unit_type), Denominator]
Every write is audited; nothing is stored unless every field passes (FieldProblems names each)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..errors import Conflict, NotFound
from ..extensions import db
from ..forms.parsers import AnswerError, parse_date
from ..models import Denominator, Entry, Organisation, SkillPromotion, User
from ..models.tally import SKILL_GRADES
from ..texts import lookup, t
from ..timeutil import china_today, utcnow
from . import policy
from .audit import record
from .entries import FieldProblems

MAX_UNITS = 10_000_000
AREA_KINDS = ("county", "industry_union")


def _org(org_id) -> Organisation:
    org = db.session.get(Organisation, org_id) if isinstance(org_id, int) and 0 < org_id < 2 ** 31 else None
    if org is None:
        raise NotFound("tallies.errors.org_not_found", code="org_not_found", org_id=org_id)
    return org


def grade_of(raw) -> str | None:
    """A grade code from what people write (技师, 二级, grade2); None when not read."""
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    if text in SKILL_GRADES:
        return text
    labels = lookup("tallies.grades")
    words = lookup("tallies.grade_words")
    for code in SKILL_GRADES:
        if text == labels[code] or text in words[code]:
            return code
    return None


def _grades_text() -> str:
    return "、".join(lookup("tallies.grades").values())


def _day(raw, today: date) -> date | None:
    if isinstance(raw, date):
        day = raw
    else:
        try:
            day = parse_date(raw) if isinstance(raw, str) else None
        except (AnswerError, ValueError, TypeError):
            day = None
    return day if day is not None and day <= today else None


class _Problems(list):
    def add(self, field: str, key: str, **params) -> None:
        self.append({"field": field, "message": t(key, **params)})


def record_promotion(user: User, org_id, values: dict) -> SkillPromotion:
    org = _org(org_id)
    policy.require(user, "promotion.record", org)
    if org.kind != "unit":
        raise Conflict("tallies.errors.not_a_unit", code="not_a_unit", field="org_id", org_id=org.id)
    problems = _Problems()
    name = values.get("person_name")
    name = name.strip() if isinstance(name, str) else ""
    if not 2 <= len(name) <= 20:
        problems.add("person_name", "tallies.errors.name")
    from_raw = values.get("from_grade")
    from_grade = None if from_raw in (None, "", lookup("tallies.no_grade")) else grade_of(from_raw)
    if from_raw not in (None, "", lookup("tallies.no_grade")) and from_grade is None:
        problems.add("from_grade", "tallies.errors.grade", grades=_grades_text())
    to_grade = grade_of(values.get("to_grade"))
    if to_grade is None:
        problems.add("to_grade", "tallies.errors.grade", grades=_grades_text())
    elif from_grade is not None and SKILL_GRADES.index(to_grade) <= SKILL_GRADES.index(from_grade):
        problems.add("to_grade", "tallies.errors.grade_order", from_grade=lookup("tallies.grades")[from_grade])
    day = _day(values.get("promoted_on"), china_today())
    if day is None:
        problems.add("promoted_on", "tallies.errors.date")
    entry_id = values.get("entry_id")
    if entry_id not in (None, ""):
        entry = db.session.get(Entry, entry_id) if isinstance(entry_id, int) and 0 < entry_id < 2 ** 31 else None
        if entry is None or entry.unit_id != org.id:
            problems.add("entry_id", "tallies.errors.entry", entry_id=str(entry_id)[:20])
    else:
        entry_id = None
    if problems:
        raise FieldProblems(problems, "errors.invalid_fields_none_saved")
    row = SkillPromotion(org_id=org.id, person_name=name, from_grade=from_grade, to_grade=to_grade,
                         promoted_on=day, entry_id=entry_id, recorded_by_id=user.id)
    db.session.add(row)
    db.session.flush()
    record(user, "promotion_recorded", "skill_promotion", row.id,
           data={"org_id": org.id, "person_name": name, "from": from_grade, "to": to_grade, "on": day.isoformat()})
    db.session.commit()
    return row


def confirm_promotion(user: User, promotion_id: int) -> SkillPromotion:
    row = db.session.get(SkillPromotion, promotion_id) if 0 < promotion_id < 2 ** 31 else None
    if row is None or not policy.can(user, "promotion.view", row.org):
        raise NotFound("tallies.errors.promotion_not_found", code="promotion_not_found", id=promotion_id)
    policy.require(user, "promotion.confirm", row.org)
    if row.confirmed_at is not None:
        raise Conflict("tallies.errors.already_confirmed", code="already_confirmed",
                       at=row.confirmed_at.strftime("%Y-%m-%d %H:%M"))
    row.confirmed_at, row.confirmed_by_id = utcnow(), user.id
    record(user, "promotion_confirmed", "skill_promotion", row.id, data={"org_id": row.org_id})
    db.session.commit()
    return row


def _subtree(org: Organisation):
    return select(Organisation.id).where(Organisation.path.startswith(org.path, autoescape=True))


def promotions_for(user: User, org_id) -> list[SkillPromotion]:
    org = _org(org_id)
    policy.require(user, "promotion.view", org)
    return list(db.session.scalars(select(SkillPromotion).where(SkillPromotion.org_id.in_(_subtree(org)))
                                   .order_by(SkillPromotion.promoted_on.desc(), SkillPromotion.id.desc())))


def enter_denominator(user: User, org_id, values: dict) -> Denominator:
    org = _org(org_id)
    policy.require(user, "denominator.enter", org)
    if org.kind not in AREA_KINDS:
        raise Conflict("tallies.errors.not_an_area", code="not_an_area", field="org_id", org_id=org.id)
    problems = _Problems()
    types = lookup("catalog.unit_types")
    unit_type = values.get("unit_type")
    if unit_type not in types:
        by_label = {v: k for k, v in types.items()}
        unit_type = by_label.get(unit_type)
    if unit_type is None:
        problems.add("unit_type", "tallies.errors.unit_type", types="、".join(types.values()))
    counts = {}
    for field, optional, top in (("units", False, MAX_UNITS), ("employees", True, MAX_UNITS * 100)):
        raw = values.get(field)
        if raw in (None, "") and optional:
            counts[field] = None
            continue
        if isinstance(raw, str) and raw.strip().isdigit() and len(raw.strip()) <= 12:
            raw = int(raw.strip())
        if not isinstance(raw, int) or isinstance(raw, bool) or not 0 <= raw <= top:
            problems.add(field, "tallies.errors.count", max=top)
            counts[field] = None
        else:
            counts[field] = raw
    if counts.get("units") is not None and counts.get("employees") is not None and counts["employees"] < counts["units"]:
        problems.add("employees", "tallies.errors.employees_fewer", units=counts["units"])
    source = values.get("source")
    source = source.strip() if isinstance(source, str) else ""
    if not 2 <= len(source) <= 200:
        problems.add("source", "tallies.errors.source")
    as_of = _day(values.get("as_of"), china_today())
    if as_of is None:
        problems.add("as_of", "tallies.errors.date")
    if problems:
        raise FieldProblems(problems, "errors.invalid_fields_none_saved")
    row = Denominator(org_id=org.id, unit_type=unit_type, units=counts["units"], employees=counts["employees"],
                      source=source, as_of=as_of, entered_by_id=user.id)
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("tallies.errors.duplicate_denominator", code="duplicate_denominator", field="as_of",
                       org=org.name, unit_type=types[unit_type], as_of=as_of.isoformat())
    record(user, "denominator_entered", "denominator", row.id,
           data={"org_id": org.id, "unit_type": unit_type, "units": row.units, "employees": row.employees,
                 "source": source, "as_of": as_of.isoformat()})
    db.session.commit()
    return row


def denominators_for(user: User, org_id) -> list[Denominator]:
    org = _org(org_id)
    policy.require(user, "denominator.view", org)
    return list(db.session.scalars(select(Denominator).where(Denominator.org_id.in_(_subtree(org)))
                                   .order_by(Denominator.org_id, Denominator.unit_type, Denominator.as_of.desc())))


def held_orgs(user: User, action: str, kinds: tuple[str, ...]) -> list[Organisation]:
    """Nodes of the given kinds (not retired) where the user may do `action`, from the nodes
    they hold roles on downwards (the console's choices)."""
    seen: dict[int, Organisation] = {}
    for assignment in user.roles:
        below = db.session.scalars(select(Organisation).where(
            Organisation.path.startswith(assignment.org.path, autoescape=True), Organisation.kind.in_(kinds),
            Organisation.retired_at.is_(None)).order_by(Organisation.path).limit(500))
        for org in below:
            if org.id not in seen and policy.can(user, action, org):
                seen[org.id] = org
    return list(seen.values())


# -- for the statistics ----------------------------------------------------------------------
def confirmed_promotions(first: date, last: date) -> dict[int, int]:
    """Confirmed promotions per unit dated first..last (inclusive)."""
    return dict(db.session.execute(
        select(SkillPromotion.org_id, func.count()).where(
            SkillPromotion.confirmed_at.is_not(None), SkillPromotion.promoted_on >= first,
            SkillPromotion.promoted_on <= last).group_by(SkillPromotion.org_id)).all())


def pending_promotions(first: date, last: date) -> dict[int, int]:
    """Recorded but not yet confirmed promotions per unit dated first..last (the dashboard shows
    them apart: they count only once the unit confirms them)."""
    return dict(db.session.execute(
        select(SkillPromotion.org_id, func.count()).where(
            SkillPromotion.confirmed_at.is_(None), SkillPromotion.promoted_on >= first,
            SkillPromotion.promoted_on <= last).group_by(SkillPromotion.org_id)).all())


def latest_denominators(by_day: date) -> dict[tuple[int, str], Denominator]:
    """Per (area, unit type) the denominator with the latest date not after `by_day`."""
    out: dict[tuple[int, str], Denominator] = {}
    for row in db.session.scalars(select(Denominator).where(Denominator.as_of <= by_day)
                                  .order_by(Denominator.as_of)):
        out[(row.org_id, row.unit_type)] = row
    return out
