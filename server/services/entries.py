"""Entries: drafts, field updates (the same parsers and rules as the chat), submission.

Whoever calls (the chat engine, form mode, a job) gets the same answers to the same input."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from ..forms import rules
from ..forms.applicability import applicable, applies, dependants
from ..dialogue import flows
from ..forms.catalogue import Step, entry_fields, entry_steps, label
from ..forms.parsers import AnswerError
from ..forms.types import Context, answer_type, check_json_type, display, parse_answer
from ..forms.values import get_value, is_filled, set_value
from ..errors import AppError, Conflict, NotFound
from ..extensions import db
from ..models import Entry, Person, Season, User
from ..texts import t
from ..timeutil import china_today, utcnow
from . import content, outbox, policy, status
from .audit import record
from .shown import shown_label
from .seasons import current_season
from .status import EDITABLE


def context(user: User, entry: Entry, proxy: bool | None = None, content_verdicts: dict | None = None) -> Context:
    return Context(user=user, entry=entry, season=entry.season, today=china_today(),
                   proxy=entry.agent_id is not None if proxy is None else proxy,
                   content_verdicts=content_verdicts if content_verdicts is not None else {})


def flow_steps(entry: Entry) -> list[Step]:
    """The fields that apply to this entry now: the steps of its flow in the registry (flows.yaml;
    为农户申报 includes the farmer's registration first)."""
    proxy = entry.applicant_id is not None and entry.agent_id is not None
    steps = flows.get("entry_proxy" if proxy else "entry").steps
    return applicable(steps, lambda f: get_value(entry, f))


# -- reading ----------------------------------------------------------------------------------
def can_view(user: User, entry: Entry) -> bool:
    return policy.can(user, "entry.view", entry)


def get_entry(user: User, entry_id: int) -> Entry:
    entry = db.session.get(Entry, entry_id)
    if entry is None or not can_view(user, entry):
        raise NotFound("errors.entry_not_found", code="entry_not_found", entry_id=entry_id)
    return entry


def get_editable(user: User, entry_id: int) -> Entry:
    entry = get_entry(user, entry_id)
    policy.require(user, "entry.edit", entry)
    if entry.status not in EDITABLE:
        raise Conflict("errors.entry_locked", code="entry_locked", status_label=shown_label(user, entry.status))
    return entry


def my_entries(user: User) -> list[Entry]:
    """Entries I created, filed as an agent, or that name me (a farmer who bound the phone)."""
    mine = select(Person.id).where(Person.user_id == user.id)
    return list(db.session.scalars(select(Entry).where(or_(
        Entry.created_by_id == user.id, Entry.agent_id == user.id,
        Entry.applicant_id.in_(mine), Entry.leader_id.in_(mine))).order_by(Entry.id.desc())))


# -- writing ----------------------------------------------------------------------------------
def create_draft(user: User, *, farmer: Person | None = None, season: Season | None = None) -> Entry:
    policy.require(user, "entry.create")
    if farmer is not None:
        policy.require(user, "entry.file_for_farmer")
    season = season or current_season()
    if season is None:
        raise NotFound("errors.no_season", code="no_season")
    entry = Entry(season_id=season.id, created_by_id=user.id, status="draft",
                  agent_id=user.id if farmer is not None else None, applicant=farmer)
    units = [a.org for a in user.roles if a.org.files_entries]
    if len(units) == 1:
        entry.unit_id = units[0].id        # one unit: prefilled, still shown at confirm
        entry.unit_source = "role"
    db.session.add(entry)
    db.session.flush()
    record(user, "entry_created", "entry", entry.id, to_status="draft",
           data={"proxy": farmer is not None})
    return entry


def apply_answer(ctx: Context, step: Step, raw) -> object:
    """Parse, check the rules and store one answer. Raises AnswerError, storing nothing, unless
    the rule is one whose answer is kept (an ineligible project)."""
    value = parse_answer(step, raw, ctx)
    before, after = rules.split_kept(step.rules)
    rules.check(before, value, ctx)
    _store(ctx.user, ctx.entry, step.field, value)
    rules.check(after, value, ctx)
    return value


def _store(user: User, entry: Entry, field: str, value) -> None:
    """Store one field; the answers it makes inapplicable are cleared, and their old values
    are kept in the audit trail (DESIGN.md convention 10)."""
    watched = [s.field for s in dependants(field, entry_steps())]
    old = {f: get_value(entry, f) for f in watched}
    set_value(entry, field, value)
    if field == "unit":
        entry.unit_source = unit_source(user, value)
    cleared = {f: _plain(v) for f, v in old.items() if v not in (None, "", []) and get_value(entry, f) in (None, "", [])}
    if cleared:
        record(user, "entry_fields_cleared", "entry", entry.id, data={"because": field, "old": cleared})


def unit_source(user: User, unit_id: int | None) -> str | None:
    """How an entry's unit was chosen, for the reviewers: "role" when it is the organisation of
    one of the user's roles (their own unit, the agent's e-station), "named" when it was named
    freely (a farmer's or small unit's own choice, which the unit is to confirm)."""
    if unit_id is None:
        return None
    return "role" if any(a.org_id == unit_id for a in user.roles) else "named"


def _plain(value):
    return value if isinstance(value, (str, int, float, bool)) else str(value)


def create(user: User, values: dict[str, object]) -> Entry:
    """Form mode: a new draft with the given fields, committed. Raises FieldProblems (after
    committing the draft and its valid fields) when some fields were rejected."""
    return _write_fields(user, lambda: create_draft(user), values)


def update(user: User, entry_id: int, values: dict[str, object]) -> Entry:
    """Form mode: change fields of my draft, committed; FieldProblems names the rejected ones
    (the valid ones are saved)."""
    return _write_fields(user, lambda: get_editable(user, entry_id), values)


WRITE_ATTEMPTS = 5


def _write_fields(user: User, load, values: dict[str, object]) -> Entry:
    """Like a dialogue turn: when another write of the same draft (a PATCH, a chat answer)
    committed first, the version check fails and the fields are applied again on its result.
    If that keeps happening, 409 says plainly that these fields were not saved."""
    def work(verdicts):
        for attempt in range(WRITE_ATTEMPTS):
            try:
                entry = load()
                problems = update_fields(user, entry, values, verdicts)
                db.session.commit()
                return entry, problems
            except (StaleDataError, IntegrityError):
                db.session.rollback()
        raise Conflict("errors.entry_edit_conflict", code="edit_conflict")
    entry, problems = content.run_checked(user.id, work)
    if problems:
        raise FieldProblems(problems)
    return entry


def submit_draft(user: User, entry_id: int) -> Entry:
    """Form mode: submit my draft (every rule again; the window in China time), committed."""
    entry = get_editable(user, entry_id)
    submit(user, entry)
    db.session.commit()
    outbox.relay_soon()
    return entry


def update_fields(user: User, entry: Entry, values: dict[str, object], content_verdicts: dict | None = None) -> list[dict]:
    """Apply each given field; returns the problems (field, message) without storing the
    rejected ones. Valid fields are stored even when others are not. Commits nothing."""
    ctx = context(user, entry, content_verdicts=content_verdicts)
    problems = []
    # In the forms' order, so a field is judged after the fields it depends on, whatever the
    # order of the keys sent (patent.granted before patent.number).
    order = {f: i for i, f in enumerate(entry_fields())}
    for field, raw in sorted(values.items(), key=lambda kv: order.get(kv[0], -1)):
        step = entry_fields().get(field)
        if step is None or answer_type(step).needs_upload:
            problems.append({"field": field, "message": t("errors.field_not_editable", field=field)})
            continue
        try:
            if raw is not None:
                check_json_type(step, raw)
            if not applies(step, lambda f: get_value(entry, f)):
                if raw is None or raw == "":
                    continue
                condition, expected, op = step.when
                shown = "、".join(display(entry_fields()[condition], v, ctx)
                                 for v in (expected if op != "equals" else (expected,)))
                raise AnswerError("not_applicable_unless" if op == "not_in" else "not_applicable",
                                  label=label(field), condition=label(condition), value=shown)
            if raw is None or raw == "":
                if not step.optional:
                    raise AnswerError("required_field")
                _store(user, entry, field, None)
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
            rules.check(step.rules, value, ctx, at_submit=True)
        except AnswerError as exc:
            found.append(Problem(step.field, exc.message))
    return found


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


def submit(user: User, entry: Entry) -> Entry:
    """Submit a draft (or a returned entry): its status and the actor first, then every rule
    again, then the window (status.py). Commits nothing."""
    status.check(entry, "submit", user)
    problems = problems_for_submit(user, entry)
    if problems:
        raise SubmitBlocked(problems)
    status.transition(entry, "submit", user, data={"agent": entry.agent_id is not None})
    entry.submitted_at = utcnow()
    return entry


def withdraw(user: User, entry: Entry, reason: str | None = None) -> Entry:
    """Give up a draft (the dialogue's 放弃 / 重新开始; reason = the command). Commits nothing."""
    return status.transition(entry, "withdraw", user, reason=reason)


class FieldProblems(AppError):
    """Form mode: some fields were rejected (the valid ones were saved)."""
    status = 400
    code = "invalid_fields"

    def __init__(self, problems: list[dict], key: str = "errors.invalid_fields"):
        # key: errors.invalid_fields_none_saved where nothing is stored unless every field passes
        super().__init__(key, field=problems[0]["field"], count=len(problems))
        self.problems = problems

    def to_dict(self) -> dict:
        body = super().to_dict()
        body["error"]["problems"] = self.problems
        return body
