"""Entries: drafts, field updates (the same parsers and rules as the chat), submission.

Whoever calls (the chat engine, form mode, a job) gets the same answers to the same input."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select

from ..dialogue import rules
from ..dialogue.answers import Context, parse_answer
from ..dialogue.flow import Step, by_field, steps
from ..dialogue.parsers import AnswerError
from ..errors import AppError, Conflict, Forbidden, NotFound
from ..extensions import db
from ..models import Entry, Person, Season, User
from ..texts import t
from ..timeutil import china_today, utcnow
from . import outbox
from .audit import record
from .permissions import in_scope
from .seasons import current_season
from .entry_values import get_value, is_filled, set_value

EDITABLE = ("draft", "returned")
# Stored even though the rule then fails: the entry is ineligible, the answer is kept in case
# it was a mistake (RULES.md: funded projects are excluded).
STORE_THEN_CHECK = {"not_funded"}


def context(user: User, entry: Entry, proxy: bool | None = None) -> Context:
    return Context(user=user, entry=entry, season=entry.season,
                   today=china_today(), proxy=entry.agent_id is not None if proxy is None else proxy)


def applicable(step: Step, entry: Entry) -> bool:
    if step.when is None:
        return True
    field, expected = step.when
    return get_value(entry, field) == expected


def flow_steps(entry: Entry) -> list[Step]:
    return [s for s in steps(proxy=entry.applicant_id is not None and entry.agent_id is not None)
            if applicable(s, entry)]


# -- reading ----------------------------------------------------------------------------------
def can_view(user: User, entry: Entry) -> bool:
    if user.id in (entry.created_by_id, entry.agent_id):
        return True
    for person in (entry.applicant, entry.leader):
        if person is not None and person.user_id == user.id:
            return True
    if entry.unit_id is not None:
        from ..models import Organisation
        unit = db.session.get(Organisation, entry.unit_id)
        return unit is not None and in_scope(user, unit)
    return False


def get_entry(user: User, entry_id: int) -> Entry:
    entry = db.session.get(Entry, entry_id)
    if entry is None or not can_view(user, entry):
        raise NotFound("errors.entry_not_found", code="entry_not_found", entry_id=entry_id)
    return entry


def get_editable(user: User, entry_id: int) -> Entry:
    entry = get_entry(user, entry_id)
    if user.id not in (entry.created_by_id, entry.agent_id):
        raise Forbidden("errors.entry_not_yours", code="not_yours")
    if entry.status not in EDITABLE:
        raise Conflict("errors.entry_locked", code="entry_locked",
                       status_label=t(f"catalog.statuses.{entry.status}"))
    return entry


def my_entries(user: User) -> list[Entry]:
    """Entries I created, filed as an agent, or that name me (a farmer who bound the phone)."""
    mine = select(Person.id).where(Person.user_id == user.id)
    return list(db.session.scalars(select(Entry).where(or_(
        Entry.created_by_id == user.id, Entry.agent_id == user.id,
        Entry.applicant_id.in_(mine), Entry.leader_id.in_(mine))).order_by(Entry.id.desc())))


# -- writing ----------------------------------------------------------------------------------
def create_draft(user: User, *, farmer: Person | None = None, season: Season | None = None) -> Entry:
    season = season or current_season()
    if season is None:
        raise NotFound("errors.no_season", code="no_season")
    entry = Entry(season_id=season.id, created_by_id=user.id, status="draft",
                  agent_id=user.id if farmer is not None else None, applicant=farmer)
    units = [a.org for a in user.roles if a.org.kind in ("unit", "team")]
    if len(units) == 1:
        entry.unit_id = units[0].id        # one unit: prefilled, still shown at confirm
    db.session.add(entry)
    db.session.flush()
    record(user, "entry_created", "entry", entry.id, to_status="draft",
           data={"proxy": farmer is not None})
    return entry


def apply_answer(ctx: Context, step: Step, raw) -> object:
    """Parse, check the rules and store one answer. Raises AnswerError, storing nothing, unless
    the rule is one whose answer is kept (an ineligible project)."""
    value = parse_answer(step, raw, ctx)
    keep = [r for r in step.rules if r in STORE_THEN_CHECK]
    rules.check([r for r in step.rules if r not in STORE_THEN_CHECK], value, ctx)
    set_value(ctx.entry, step.field, value)
    rules.check(keep, value, ctx)
    return value


def update_fields(user: User, entry: Entry, values: dict[str, object]) -> list[dict]:
    """Form mode: apply each given field; returns the problems (field, message) without
    storing the rejected ones. Valid fields are stored even when others are not."""
    ctx = context(user, entry)
    problems = []
    for field, raw in values.items():
        step = by_field().get(field)
        if step is None or step.type in ("photo", "attachments") or field.startswith("farmer."):
            problems.append({"field": field, "message": t("errors.field_not_editable", field=field)})
            continue
        try:
            if raw is None or raw == "":
                if not step.optional:
                    raise AnswerError("required_field")
                set_value(entry, field, None)
            else:
                apply_answer(ctx, step, raw)
        except AnswerError as exc:
            problems.append({"field": field, "message": exc.message})
    record(user, "entry_updated", "entry", entry.id, data={"fields": sorted(values)})
    return problems


# -- submitting -------------------------------------------------------------------------------
@dataclass
class Problem:
    field: str
    message: str


def problems_for_submit(user: User, entry: Entry) -> list[Problem]:
    """Every rule again: required fields present, each answer valid, one leader, eligible."""
    ctx = context(user, entry)
    found: list[Problem] = []
    for step in flow_steps(entry):
        if step.field.startswith("farmer."):
            continue
        if not is_filled(entry, step.field):
            if not step.optional:
                found.append(Problem(step.field, t("answers.missing_at_submit", label=label(step.field))))
            continue
        value = get_value(entry, step.field)
        try:
            rules.check([r for r in step.rules if r not in rules.ANSWER_ONLY], value, ctx)
        except AnswerError as exc:
            found.append(Problem(step.field, exc.message))
    return found


def label(field: str) -> str:
    from ..texts import lookup
    return lookup("flow_entry.labels").get(field, field)


class SubmitBlocked(AppError):
    status = 422
    code = "not_ready"

    def __init__(self, problems: list[Problem]):
        super().__init__("errors.not_ready", count=len(problems))
        self.problems = problems

    def to_dict(self) -> dict:
        body = super().to_dict()
        body["error"]["problems"] = [p.__dict__ for p in self.problems]
        return body


def window_problem(season: Season) -> AppError | None:
    """Why an entry cannot be submitted now (China-time window), or None when it can."""
    if season.submission_open():
        return None
    start, _ = season.phase_bounds_utc("submit")
    if utcnow() < start:
        return AppError("errors.window_not_open", code="window_not_open", status=409,
                        start=season.submit_start.isoformat(), end=season.submit_end.isoformat())
    return AppError("errors.window_closed", code="window_closed", status=409,
                    end=season.submit_end.isoformat())


def submit(user: User, entry: Entry) -> Entry:
    if entry.status not in EDITABLE:
        raise Conflict("errors.entry_locked", code="entry_locked",
                       status_label=t(f"catalog.statuses.{entry.status}"))
    problems = problems_for_submit(user, entry)
    if problems:
        raise SubmitBlocked(problems)
    season = db.session.get(Season, entry.season_id)
    closed = window_problem(season)
    if closed:
        raise closed
    before = entry.status
    entry.status = "submitted"
    entry.submitted_at = utcnow()
    record(user, "entry_submitted", "entry", entry.id, from_status=before, to_status="submitted",
           data={"agent": entry.agent_id is not None})
    outbox.emit("entry_submitted", entry_id=entry.id)
    return entry


class FieldProblems(AppError):
    """Form mode: some fields were rejected (the valid ones were saved)."""
    status = 400
    code = "invalid_fields"

    def __init__(self, problems: list[dict]):
        super().__init__("errors.invalid_fields", field=problems[0]["field"], count=len(problems))
        self.problems = problems

    def to_dict(self) -> dict:
        body = super().to_dict()
        body["error"]["problems"] = self.problems
        return body
