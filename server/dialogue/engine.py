"""The generic dialogue engine: one turn = global commands first, then the answer to the step
being asked, then the next question. It works on a Conversation and its draft Entry; the
caller (services/dialogue.py) owns the transaction and the lock."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import AppError
from ..models import Conversation, Entry, User
from ..forms.catalogue import Step, entry_fields, farmer_steps, label, aliases
from ..forms.parsers import AnswerError, normalise, parse_yesno
from ..forms.types import SELF_WORDS, Context, button_labels, display
from ..forms.values import get_value, is_filled
from ..services import entries as entry_service
from ..texts import lookup, t
from ..timeutil import to_china
from .commands import Command, parse_command
from . import people

CONFIRM = "confirm"


def _ALL_STEPS() -> dict[str, Step]:
    return {**{s.field: s for s in farmer_steps()}, **entry_fields()}
MAX_TRIES = 3


@dataclass
class Reply:
    text: str
    options: list[str] = field(default_factory=list)


@dataclass
class TurnResult:
    replies: list[Reply]
    step: str | None
    done: bool = False
    entry_id: int | None = None
    progress: dict | None = None
    flow: str = "entry"


def say(key: str, **params) -> Reply:
    return Reply(t(f"dialogue.{key}", **params))


class Engine:
    def __init__(self, user: User, conv: Conversation, content_verdicts: dict | None = None, *, can):
        """`can(user, action, obj=None) -> bool` answers permission questions (the service
        passes services/policy.can; the engine imports no policy)."""
        self.user, self.conv, self.can = user, conv, can
        self.content_verdicts = content_verdicts if content_verdicts is not None else {}
        if conv.entry is not None and conv.entry.status not in entry_service.EDITABLE:
            # submitted, withdrawn, or handled elsewhere (form mode): nothing left to ask here
            conv.entry, conv.step, conv.history, conv.skipped = None, None, [], []
        self.replies: list[Reply] = []
        self.done = False
        self.submitted_id: int | None = None     # the entry this turn submitted
        self._ctx: Context | None = None

    # -- helpers ------------------------------------------------------------------------
    @property
    def entry(self) -> Entry | None:
        return self.conv.entry

    def ctx(self) -> Context:
        # One context per turn and entry (the season is read once, not at every question).
        if self._ctx is None or self._ctx.entry is not self.entry:
            self._ctx = entry_service.context(self.user, self.entry, proxy=self.conv.proxy,
                                             content_verdicts=self.content_verdicts)
        return self._ctx

    def step(self) -> Step | None:
        return _ALL_STEPS().get(self.conv.step or "")

    def active_steps(self) -> list[Step]:
        return entry_service.flow_steps(self.entry)

    def next_field(self) -> str:
        """The first applicable field not yet filled nor skipped; else the confirm step."""
        for s in self.active_steps():
            if s.field not in self.conv.skipped and not is_filled(self.entry, s.field):
                return s.field
        return CONFIRM

    def ask(self, field_name: str | None = None, *, with_value: bool = False) -> None:
        self.conv.step = field_name or self.next_field()
        self.conv.failures = 0
        if self.conv.step == CONFIRM:
            self.replies.extend(self.summary())
            self.replies.append(Reply(t("dialogue.confirm_prompt"), lookup("dialogue.confirm_options")))
            return
        step = self.step()
        text = step.prompt.format(**self.season_params())
        if with_value and is_filled(self.entry, step.field):
            text += t("dialogue.current_value", value=display(step, get_value(self.entry, step.field), self.ctx()))
        self.replies.append(Reply(text, self.options(step)))

    def options(self, step: Step) -> list[str]:
        return button_labels(step, self.ctx())

    def season_params(self) -> dict:
        season = self.ctx().season
        return {"achievement_from": season.achievement_from, "achievement_to": season.achievement_to}

    def progress(self) -> dict | None:
        if self.entry is None or self.conv.step is None:
            return None
        fields = [s.field for s in self.active_steps()]
        total = len(fields) + 1
        current = total if self.conv.step == CONFIRM else (fields.index(self.conv.step) + 1 if self.conv.step in fields else 1)
        return {"current": current, "total": total}

    def summary(self) -> list[Reply]:
        lines = [t("dialogue.summary_header")]
        for s in self.active_steps():
            value = get_value(self.entry, s.field)
            shown = display(s, value, self.ctx()) if value not in (None, "", []) else t("dialogue.not_filled")
            lines.append(t("dialogue.summary_line", label=label(s.field), value=shown))
        return [Reply("\n".join(lines))]

    def result(self) -> TurnResult:
        entry_id = self.entry.id if self.entry else self.submitted_id
        return TurnResult(self.replies, self.conv.step, self.done, entry_id, self.progress(),
                          "entry_proxy" if self.conv.proxy else "entry")

    # -- a turn ---------------------------------------------------------------------------
    def pending_question(self) -> TurnResult:
        """What GET /dialogue shows: the question now pending, asked again."""
        if self.entry is None or self.conv.step is None:
            self.replies.append(self.welcome())
        elif self.conv.paused:
            self.replies.append(say("resume_hint"))
        elif self.conv.pending:
            self.replies.append(Reply(t(f"dialogue.confirm_{self.conv.pending}"), lookup("dialogue.yes_no_options")))
        else:
            self.ask(self.conv.step, with_value=True)
        return self.result()

    def handle_text(self, text: str) -> TurnResult:
        command = parse_command(text)
        if self.conv.pending:
            self.answer_pending(text)
        elif command is not None and self.run_command(command):
            return self.result()
        elif self.entry is None or self.conv.step is None:
            self.replies.append(self.welcome())
        elif self.conv.paused:
            self.replies.append(say("resume_hint"))
        elif self.conv.step == CONFIRM:
            self.ask(CONFIRM)
        else:
            self.answer(text)
        return self.result()

    def welcome(self) -> Reply:
        if self.can(self.user, "entry.file_for_farmer"):
            return Reply(t("dialogue.welcome") + "\n" + t("dialogue.welcome_agent"),
                         list(lookup("dialogue.welcome_agent_options")))
        return Reply(t("dialogue.welcome"), list(lookup("dialogue.welcome_options")))

    # -- answers --------------------------------------------------------------------------
    def answer(self, raw) -> None:
        step = self.step()
        ctx = self.ctx()
        try:
            if step.type == "leader_name" and normalise(raw) in SELF_WORDS:
                people.leader_is_me(self.user, self.entry, proxy=self.conv.proxy)
                self.replies.append(say("leader_self_prefilled"))
            elif step.field.startswith("farmer."):
                people.answer_farmer(ctx, step, raw)
            else:
                entry_service.apply_answer(ctx, step, raw)
        except AnswerError as exc:
            self.fail(step, exc)
            return
        self.conv.history = [*self.conv.history, step.field]
        if step.field in self.conv.skipped:
            self.conv.skipped = [f for f in self.conv.skipped if f != step.field]
        if step.field == "farmer.consent":
            self.replies.append(say("farmer_registered", name=self.entry.applicant.name,
                                    at=to_china(self.entry.applicant.consent_at).strftime("%Y-%m-%d %H:%M")))
        self.ask()

    def fail(self, step: Step, exc: AnswerError) -> None:
        self.conv.failures += 1
        if exc.kept:
            self.conv.failures = 0          # not a typing problem: explained, answer kept
        text = exc.message
        if self.conv.failures >= MAX_TRIES:
            text += "\n" + t("dialogue.failed_three_times", help=step.help.format(**self.season_params()))
            text += "\n" + t("dialogue.example", example=step.example)
            text += "\n" + t("dialogue.offer_skip" if step.optional else "dialogue.offer_help")
        self.replies.append(Reply(text, self.options(step)))

    # -- commands -------------------------------------------------------------------------
    def run_command(self, cmd: Command) -> bool:
        """Run a global command; False when the word should be read as an answer instead."""
        in_flow = self.entry is not None and self.conv.step is not None
        if cmd.name == "start":
            if in_flow and not self.conv.paused:
                return False                       # "开始" could be an answer mid-flow
            self.start(proxy=False)
        elif cmd.name == "proxy":
            self.start(proxy=True)
        elif not in_flow:
            if cmd.name == "resume" and self.resume_latest_draft():
                return True
            self.replies.append(say("no_active_entry"))
        elif cmd.name == "resume":
            self.conv.paused = False
            self.replies.append(say("resume_draft"))
            self.ask(self.conv.step, with_value=True)
        elif cmd.name == "pause":
            self.conv.paused = True
            self.replies.append(say("paused"))
        elif self.conv.paused:
            self.replies.append(say("resume_hint"))
        elif cmd.name == "help":
            step = self.step()
            if step is None:
                self.ask(CONFIRM)
            else:
                self.replies.append(Reply(t("dialogue.help_header") + step.help.format(**self.season_params())
                                          + "\n" + t("dialogue.example", example=step.example)
                                          + "\n" + t("dialogue.commands_hint")))
                self.ask(step.field)
        elif cmd.name == "review":
            self.replies.extend(self.summary())
            self.ask(self.conv.step, with_value=True)
        elif cmd.name == "back":
            self.back()
        elif cmd.name == "skip":
            self.skip()
        elif cmd.name == "done" and self.conv.step == "attachments":
            self.conv.skipped = [*self.conv.skipped, "attachments"]
            self.ask()
        elif cmd.name == "done":
            return False
        elif cmd.name == "edit":
            if not cmd.explicit and resolve_field(cmd.arg, self.active_steps()) is None:
                return False                       # "修改皮带机…" is an answer, not a command
            self.edit(cmd.arg)
        elif cmd.name in ("restart", "abandon"):
            self.conv.pending = cmd.name
            self.replies.append(Reply(t(f"dialogue.confirm_{cmd.name}"), lookup("dialogue.yes_no_options")))
        elif cmd.name == "submit":
            if self.conv.step != CONFIRM:
                return False
            self.submit()
        return True

    def start(self, proxy: bool) -> None:
        if proxy and not self.can(self.user, "entry.file_for_farmer"):
            self.replies.append(say("proxy_not_allowed"))
            return
        farmer = people.new_farmer(self.user) if proxy else None
        entry = entry_service.create_draft(self.user, farmer=farmer)
        self.conv.entry, self.conv.proxy = entry, proxy
        self.conv.history, self.conv.skipped, self.conv.paused, self.conv.pending = [], [], False, None
        self.replies.append(say("start_proxy") if proxy else say("start_entry", total=len(self.active_steps()) + 1))
        self.ask()

    def resume_latest_draft(self) -> bool:
        drafts = [e for e in entry_service.my_entries(self.user)
                  if e.status in entry_service.EDITABLE and self.user.id in (e.created_by_id, e.agent_id)]
        if not drafts:
            return False
        self.conv.entry, self.conv.proxy = drafts[0], drafts[0].agent_id is not None
        self.conv.paused, self.conv.history, self.conv.skipped = False, [], []
        self.replies.append(say("resume_draft"))
        self.ask()
        return True

    def back(self) -> None:
        history = [f for f in self.conv.history if f != self.conv.step]
        if not history:
            self.replies.append(say("back_at_start"))
            self.ask(self.conv.step, with_value=True)
            return
        self.conv.history = history[:-1]
        self.ask(history[-1], with_value=True)

    def skip(self) -> None:
        step = self.step()
        if step is None or not step.optional:
            self.replies.append(say("cannot_skip", label=label(self.conv.step) if step else ""))
            self.ask(self.conv.step)
            return
        self.conv.skipped = [*self.conv.skipped, step.field]
        self.replies.append(say("skipped", label=label(step.field)))
        self.ask()

    def edit(self, name: str) -> None:
        field_name = resolve_field(name, self.active_steps())
        if field_name is None:
            labels = "、".join(label(s.field) for s in self.active_steps())
            self.replies.append(say("unknown_field", name=name, labels=labels))
            self.ask(self.conv.step)
            return
        self.conv.skipped = [f for f in self.conv.skipped if f != field_name]
        self.ask(field_name, with_value=True)

    def answer_pending(self, text: str) -> None:
        action, self.conv.pending = self.conv.pending, None
        try:
            confirmed = parse_yesno(text)
        except AnswerError:
            confirmed = False
        if not confirmed:
            self.replies.append(say("cancelled_command"))
            self.ask(self.conv.step, with_value=True)
            return
        entry_service.withdraw(self.user, self.entry, reason=action)
        if action == "restart":
            self.replies.append(say("restart_done"))
            self.start(proxy=self.conv.proxy)
        else:
            self.conv.entry, self.conv.step, self.conv.history, self.conv.skipped = None, None, [], []
            self.replies.append(say("abandon_done"))

    def submit(self) -> None:
        try:
            entry_service.submit(self.user, self.entry)
        except entry_service.SubmitBlocked as blocked:
            lines = [t("dialogue.submit_blocked")] + [
                t("dialogue.submit_problem", label=label(p.field), message=p.message)
                for p in blocked.problems]
            self.replies.append(Reply("\n".join(lines)))
            self.ask(blocked.problems[0].field)
            return
        except AppError as exc:             # the window is closed: the draft stays
            self.replies.append(Reply(exc.message))
            return
        self.replies.append(Reply(people.submitted_text(self.entry)))
        self.done, self.submitted_id = True, self.entry.id
        self.conv.entry, self.conv.step, self.conv.history, self.conv.skipped = None, None, [], []


def resolve_field(name: str, active: list[Step]) -> str | None:
    name = normalise(name)
    if not name:
        return None
    fields = [s.field for s in active]
    if name in fields:
        return name
    labels = {label(f): f for f in fields}
    if name in labels:
        return labels[name]
    other_names = {alias: f for f in fields for alias in aliases().get(f, ())}
    if name in other_names:
        return other_names[name]
    hits = [f for text, f in labels.items() if name in text or text in name]
    return hits[0] if len(hits) == 1 else None
