"""The targets that the dialogue's flows store answers on (server/dialogue/targets.py): an entry
draft (the entry flows, including a farmer's registration inside 为农户申报) and a farmer on
their own (登记农户). Each is the service side of the protocol: drafts, submission, audit."""
from __future__ import annotations

from sqlalchemy import select

from ..dialogue import targets
from ..dialogue.targets import Completion
from ..errors import AppError
from ..extensions import db
from ..forms.catalogue import Step, label
from ..forms.parsers import normalise
from ..forms.types import SELF_WORDS, Context
from ..forms.values import get_value, set_value
from ..models import Conversation, Entry, Person, UnitReport, User
from ..texts import t
from ..timeutil import china_today, to_china
from . import entries, people, reports


class EntryTarget:
    """An entry draft: the conversation's `entry`. Farmer fields go to the entry's applicant."""

    def subject(self, conv: Conversation):
        return conv.entry

    def attach(self, conv: Conversation, subject) -> None:
        conv.entry = subject

    def open(self, subject: Entry) -> bool:
        return subject.status in entries.EDITABLE

    def start(self, user: User, conv: Conversation, flow) -> Entry:
        farmer = people.new_farmer(user) if flow.options.get("for_farmer") else None
        entry = entries.create_draft(user, farmer=farmer)
        for field, value in flow.prefill.items():     # what the flow knows (为农户申报: the leader farms)
            set_value(entry, field, value)
        return entry

    def latest(self, user: User):
        drafts = [e for e in entries.my_entries(user)
                  if e.status in entries.EDITABLE and user.id in (e.created_by_id, e.agent_id)]
        if not drafts:
            return None
        return drafts[0], ("entry_proxy" if drafts[0].agent_id is not None else "entry")

    def context(self, user: User, subject: Entry, conv: Conversation, content_verdicts: dict) -> Context:
        return entries.context(user, subject, content_verdicts=content_verdicts)

    def items(self, subject) -> list:
        return [None]

    def value(self, subject: Entry, item, field: str):
        if field.startswith("farmer."):
            return people.farmer_value(subject.applicant, field)
        return get_value(subject, field)

    def answer(self, ctx: Context, step: Step, item, raw) -> list[str]:
        if step.field.startswith("farmer."):
            return people.answer_farmer(ctx, step, ctx.entry.applicant, raw)
        if step.extra.get("self_word") == "leader_profile" and normalise(raw) in SELF_WORDS:
            people.leader_is_me(ctx.user, ctx.entry, proxy=ctx.proxy)
            return [t("dialogue.leader_self_prefilled")]
        entries.apply_answer(ctx, step, raw)
        return []

    def complete(self, user: User, subject: Entry, action: str) -> Completion:
        try:
            entries.submit(user, subject)
        except entries.SubmitBlocked as blocked:
            lines = [t("dialogue.submit_blocked")] + [
                t("dialogue.submit_problem", label=label(p.field), message=p.message)
                for p in blocked.problems]
            return Completion(texts=["\n".join(lines)], ask=blocked.problems[0].field)
        except AppError as exc:             # the window is closed: the draft stays
            return Completion(texts=[exc.message])
        return Completion(texts=[people.submitted_text(subject)], done=True, subject_id=subject.id)

    def withdraw(self, user: User, subject: Entry, reason: str) -> None:
        entries.withdraw(user, subject, reason=reason)

    def item_label(self, subject, item) -> str:
        return ""


class FarmerTarget:
    """A farmer registered on their own (登记农户), before any entry is filed for them."""

    def subject(self, conv: Conversation):
        return db.session.get(Person, conv.subject_id) if conv.subject_id else None

    def attach(self, conv: Conversation, subject) -> None:
        conv.subject_id = subject.id if subject is not None else None

    def open(self, subject: Person) -> bool:
        return True      # open until 提交 completes it (the conversation then lets it go)

    def start(self, user: User, conv: Conversation, flow) -> Person:
        farmer = people.new_farmer(user)
        db.session.flush()
        return farmer

    def latest(self, user: User):
        farmer = db.session.scalar(select(Person).where(
            Person.registered_by_id == user.id, Person.consent_at.is_(None)).order_by(Person.id.desc()))
        return (farmer, "farmer_registration") if farmer is not None else None

    def context(self, user: User, subject: Person, conv: Conversation, content_verdicts: dict) -> Context:
        return Context(user=user, entry=None, season=None, today=china_today(),
                       content_verdicts=content_verdicts, subject=subject)

    def items(self, subject) -> list:
        return [None]

    def value(self, subject: Person, item, field: str):
        return people.farmer_value(subject, field)

    def answer(self, ctx: Context, step: Step, item, raw) -> list[str]:
        return people.answer_farmer(ctx, step, ctx.subject, raw)

    def complete(self, user: User, subject: Person, action: str) -> Completion:
        at = to_china(subject.consent_at).strftime("%Y-%m-%d %H:%M")
        return Completion(texts=[t("flows.farmer_registration.registered", name=subject.name, at=at)],
                          done=True)

    def withdraw(self, user: User, subject: Person, reason: str) -> None:
        db.session.delete(subject)

    def item_label(self, subject, item) -> str:
        return ""


class ReportTarget:
    """A unit's monthly report (单位月报), a draft until 提交 files it."""

    def subject(self, conv: Conversation):
        report = db.session.get(UnitReport, conv.subject_id) if conv.subject_id else None
        return report if report is not None and report.filed_at is None else None

    def attach(self, conv: Conversation, subject) -> None:
        conv.subject_id = subject.id if subject is not None else None

    def open(self, subject: UnitReport) -> bool:
        return subject.filed_at is None

    def start(self, user: User, conv: Conversation, flow) -> UnitReport:
        return reports.start_draft(user)

    def latest(self, user: User):
        report = reports.latest_draft(user)
        return (report, "monthly_report") if report is not None else None

    def context(self, user: User, subject: UnitReport, conv: Conversation, content_verdicts: dict) -> Context:
        return reports.context(user, subject)

    def items(self, subject) -> list:
        return [None]

    def value(self, subject: UnitReport, item, field: str):
        return getattr(subject, reports.ATTRS[field])

    def answer(self, ctx: Context, step: Step, item, raw) -> list[str]:
        reports.answer(ctx, step, raw)
        return []

    def complete(self, user: User, subject: UnitReport, action: str) -> Completion:
        try:
            reports.file(user, subject)
        except entries.FieldProblems as blocked:
            return Completion(texts=[blocked.message], ask=blocked.problems[0]["field"])
        except AppError as exc:
            return Completion(texts=[exc.message], ask="report.period")
        return Completion(texts=[t("reports.filed_text", unit=subject.org.name, month=subject.period,
                                   activities=subject.activities, participants=subject.participants,
                                   entries=subject.entries, promotions=subject.promotions)], done=True)

    def withdraw(self, user: User, subject: UnitReport, reason: str) -> None:
        reports.withdraw_draft(user, subject)

    def item_label(self, subject, item) -> str:
        return ""


targets.register("entry", EntryTarget())
targets.register("report", ReportTarget())
targets.register("farmer", FarmerTarget())
