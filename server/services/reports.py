"""Units' reports (月报; RULES.md "Forms": units file a monthly report on their activity, plus
half-year and full-year summaries): written in the dialogue (flow `monthly_report`) or sent whole
through the API, checked by the same field rules, filed once per unit and month, audited; the
level above sees which of its units have not filed.

    start_draft(user) -> UnitReport                      (dialogue; the user's own unit)
    answer(ctx, step, raw) -> None                       (one dialogue answer; AnswerError)
    file(user, report) -> UnitReport                     (a draft becomes a filed report)
    file_whole(user, org_id, values) -> UnitReport       (API; FieldProblems listing each field)
    reports_for(user, org_id, month_from, month_to) -> list[UnitReport]
    missing(user, org_id, month) -> list[Organisation]   (units below org_id without a filed report)
Errors: Forbidden (403) outside the user's units; NotFound; Conflict (409) for a second report
of a month; FieldProblems (400) naming each wrong field.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..errors import AppError, Conflict, NotFound
from ..extensions import db
from ..forms import rules
from ..forms.catalogue import Step, step_from_data
from ..forms.parsers import AnswerError
from ..forms.types import Context, parse_answer
from ..models import Organisation, UnitReport, User
from ..texts import lookup
from ..timeutil import china_today, utcnow
from . import policy
from .audit import record
from .entries import FieldProblems

FLOW_KEY = "flow_report"
# canonical report field → UnitReport attribute
ATTRS = {"report.unit": "chosen_unit_id", "report.period": "period", "report.activities": "activities", "report.participants": "participants",
         "report.entries": "entries", "report.promotions": "promotions", "report.problems": "problems"}


def steps() -> list[Step]:
    return [step_from_data(s) for s in lookup(f"{FLOW_KEY}.steps")]


def reporting_units(user: User) -> list[Organisation]:
    """The units the user files reports for: those they hold a role on that allows it."""
    seen: dict[int, Organisation] = {}
    for assignment in user.roles:
        org = assignment.org
        if org.kind == "unit" and org.id not in seen and policy.can(user, "report.file", org):
            seen[org.id] = org
    return list(seen.values())


def context(user: User, report: UnitReport) -> Context:
    return Context(user=user, entry=None, season=None, today=china_today(), content_verdicts={}, subject=report,
                   confirmable=True, units=reporting_units(user))


def start_draft(user: User) -> UnitReport:
    units = reporting_units(user)
    if not units:
        raise AppError("reports.no_unit", code="no_unit", status=403)
    # One unit: it is settled. Several: the flow's first step asks which (report.unit).
    report = UnitReport(org_id=units[0].id, org=units[0], kind="month", created_by_id=user.id,
                        unit_chosen=True if len(units) == 1 else None)
    db.session.add(report)
    db.session.flush()
    return report


def latest_draft(user: User) -> UnitReport | None:
    return db.session.scalar(select(UnitReport).where(
        UnitReport.created_by_id == user.id, UnitReport.filed_at.is_(None)).order_by(UnitReport.id.desc()))


def _taken(report: UnitReport, period: str) -> UnitReport | None:
    return _taken_for(report.org_id, report, period)


def _taken_for(org_id: int, report: UnitReport, period: str) -> UnitReport | None:
    return db.session.scalar(select(UnitReport).where(
        UnitReport.org_id == org_id, UnitReport.kind == report.kind,
        UnitReport.period == period, UnitReport.id != report.id))


def _store(ctx: Context, step: Step, raw) -> None:
    report: UnitReport = ctx.subject
    value = parse_answer(step, raw, ctx)
    if step.field == "report.unit":
        org = db.session.get(Organisation, value)
        policy.require(ctx.user, "report.file", org)
        other = _taken_for(org.id, report, report.period) if report.period else None
        if other is not None:
            raise AnswerError("report_duplicate", month=report.period, unit=org.name,
                              state=lookup("reports.filed" if other.filed_at else "reports.draft"))
        report.org_id, report.org, report.unit_chosen = org.id, org, True
        return
    if step.field == "report.period" and value is not None:
        # A month answer may carry a day (2026年10月5日 → "2026-10-05"); a report is for the month,
        # and the day would slip past the once-a-month check (and overflow the 7-character column).
        value = value[:7]
    if value is not None:
        rules.check(step.rules, value, ctx)
    if step.field == "report.period":
        other = _taken(report, value)
        if other is not None:
            raise AnswerError("report_duplicate", month=value, unit=report.org.name,
                              state=lookup("reports.filed" if other.filed_at else "reports.draft"))
    setattr(report, ATTRS[step.field], value)


def answer(ctx: Context, step: Step, raw) -> None:
    """Store one answer of the dialogue (AnswerError: nothing stored)."""
    _store(ctx, step, raw)


def file(user: User, report: UnitReport) -> UnitReport:
    """Make a draft count (the dialogue's 提交). FieldProblems when a required field is empty."""
    policy.require(user, "report.file", report.org)
    missing = [{"field": s.field, "message": lookup("reports.missing_field")}
               for s in steps() if not s.optional and getattr(report, ATTRS[s.field]) is None]
    if missing:
        raise FieldProblems(missing, "errors.invalid_fields_none_saved")
    report.filed_at = utcnow()
    record(user, "report_filed", "unit_report", report.id,
           data={"org_id": report.org_id, "period": report.period})
    _commit_once(report)
    return report


def _commit_once(report: UnitReport) -> None:
    """Two people filing the same unit's month at once: the unique constraint decides, and the
    second hears so (409) instead of a 500."""
    org_name, period = report.org.name, report.period
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("answers.report_duplicate", code="report_duplicate", field="report.period",
                       unit=org_name, month=period, state=lookup("reports.filed"))


def file_whole(user: User, org_id: int, values: dict[str, object]) -> UnitReport:
    """File a whole month's report (API). Every field is judged; none is stored unless all pass."""
    org = db.session.get(Organisation, org_id)
    if org is None or org.kind != "unit":
        raise NotFound("reports.unit_not_found", code="unit_not_found")
    policy.require(user, "report.file", org)
    report = UnitReport(org_id=org.id, org=org, kind="month", created_by_id=user.id, unit_chosen=True)
    ctx = context(user, report)
    ctx.confirmable = False            # form mode cannot ask back: 120多 is stored as 120
    problems = []
    for step in steps():
        if step.field == "report.unit":                # given as org_id
            continue
        raw = values.get(step.field.removeprefix("report."))
        if raw is None or raw == "":
            if not step.optional:
                problems.append({"field": step.field, "message": lookup("reports.missing_field")})
            continue
        try:
            _store(ctx, step, raw)
        except AnswerError as exc:
            if exc.key == "report_duplicate":
                raise Conflict(exc.message_key, code="report_duplicate", field=step.field, **exc.params)
            problems.append({"field": step.field, "message": exc.message})
    if problems:
        raise FieldProblems(problems, "errors.invalid_fields_none_saved")
    db.session.add(report)
    report.filed_at = utcnow()
    db.session.flush()
    record(user, "report_filed", "unit_report", report.id, data={"org_id": org.id, "period": report.period})
    _commit_once(report)
    return report


def withdraw_draft(user: User, report: UnitReport) -> None:
    if report.filed_at is None:
        db.session.delete(report)


def _subtree_units(org: Organisation):
    return select(Organisation).where(Organisation.kind == "unit",
                                      Organisation.path.startswith(org.path, autoescape=True))


def _viewable(user: User, org_id: int) -> Organisation:
    org = db.session.get(Organisation, org_id)
    if org is None:
        raise NotFound("reports.unit_not_found", code="unit_not_found")
    policy.require(user, "report.view", org)
    return org


def reports_for(user: User, org_id: int, month_from: str, month_to: str) -> list[UnitReport]:
    """Filed monthly reports of the units in org_id's subtree, months inclusive ("YYYY-MM")."""
    org = _viewable(user, org_id)
    units = _subtree_units(org).with_only_columns(Organisation.id)
    return list(db.session.scalars(select(UnitReport).where(
        UnitReport.org_id.in_(units), UnitReport.kind == "month", UnitReport.filed_at.is_not(None),
        UnitReport.period >= month_from, UnitReport.period <= month_to)
        .order_by(UnitReport.period, UnitReport.org_id)))


def missing(user: User, org_id: int, month: str) -> list[Organisation]:
    """The units under org_id (inclusive) with no filed report for `month` — what the level above
    chases (and what the reminders name)."""
    org = _viewable(user, org_id)
    filed = select(UnitReport.org_id).where(UnitReport.kind == "month", UnitReport.period == month,
                                            UnitReport.filed_at.is_not(None))
    # a retired unit files nothing any more: it is not chased (its past reports still list above)
    return list(db.session.scalars(_subtree_units(org).where(Organisation.id.not_in(filed),
                                                             Organisation.retired_at.is_(None))
                                   .order_by(Organisation.path)))
