"""The generic dialogue engine: one turn = global commands first, then the answer to the step
being asked, then the next question. It runs any flow of the registry (flows.py) on the flow's
target (targets.py); it knows no field, no table and no service. The caller
(services/dialogue.py) owns the transaction and the lock.

A position in a flow is a step's field, prefixed with the item's index in a loop ("2:points");
`conv.history` (for 返回) and `conv.skipped` hold positions."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..forms.applicability import applicable
from ..forms.catalogue import Step, aliases, label
from ..forms.examples import season_params
from ..forms.parsers import AnswerError, NeedsConfirmation, normalise, parse_yesno
from ..forms.types import Context, button_labels, display
from ..models import Conversation, User
from ..texts import lookup, t
from . import flows, targets
from .commands import Command, parse_command
from .flows import Flow
from .progress import step_count

CONFIRM = "confirm"
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


def position(item: int | None, field_name: str) -> str:
    return field_name if item is None else f"{item}:{field_name}"


def split_position(pos: str) -> tuple[int | None, str]:
    head, sep, rest = pos.partition(":")
    return (int(head), rest) if sep and head.isdigit() else (None, pos)


class Engine:
    def __init__(self, user: User, conv: Conversation, content_verdicts: dict | None = None, *, can):
        """`can(user, action, obj=None) -> bool` answers permission questions (the service
        passes services/policy.can; the engine imports no policy)."""
        self.user, self.conv, self.can = user, conv, can
        self.content_verdicts = content_verdicts if content_verdicts is not None else {}
        self.replies: list[Reply] = []
        self.done = False
        self.finished_id: int | None = None     # the subject this turn completed
        self._ctx: Context | None = None
        self._ctx_subject = None
        self.flow: Flow | None = None
        self.target = None
        self.subject = None
        try:
            self.flow = flows.get(conv.flow) if conv.flow else None
        except KeyError:                        # the flow was removed while this was open
            self.flow = None
        if self.flow is not None:
            self.target = targets.get(self.flow.target)
            self.subject = self.target.subject(conv)
        if self.flow is None or self.subject is None or not self.target.open(self.subject):
            # submitted, withdrawn, handled elsewhere (form mode), or gone: nothing to ask here
            self.idle()
        elif conv.step not in (None, CONFIRM) and self.step() is None:
            conv.step = None                    # a step that no longer exists: ask the next one

    # -- state ----------------------------------------------------------------------------
    @property
    def entry(self):
        """The subject when it is an entry draft (services/dialogue.py stores uploads on it)."""
        return self.subject if self.flow is not None and self.flow.target == "entry" else None

    def idle(self) -> None:
        if self.target is not None:
            self.target.attach(self.conv, None)
        self.conv.flow, self.conv.step, self.conv.item = None, None, None
        self.conv.history, self.conv.skipped, self.conv.paused, self.conv.pending = [], [], False, None
        self.conv.state = {}
        self.flow, self.target, self.subject = None, None, None

    @property
    def active(self) -> bool:
        return self.flow is not None and self.conv.step is not None

    def ctx(self) -> Context:
        # One context per turn and subject (the season is read once, not at every question).
        if self._ctx is None or self._ctx_subject is not self.subject:
            self._ctx = self.target.context(self.user, self.subject, self.conv, self.content_verdicts)
            self._ctx.confirmable = True        # an uncertain reading is asked back (是/否)
            self._ctx_subject = self.subject
        return self._ctx

    # what the engine remembers between turns (Conversation.state): always a new dict, so the
    # JSON column is seen as changed
    def recall(self, key: str, default=None):
        return (self.conv.state or {}).get(key, default)

    def remember(self, key: str, value) -> None:
        self.conv.state = {**(self.conv.state or {}), key: value}

    def forget(self, key: str) -> None:
        if key in (self.conv.state or {}):
            self.conv.state = {k: v for k, v in self.conv.state.items() if k != key}

    def filled_positions(self) -> set[str]:
        return {position(i, s.field) for i, s in self.positions() if self.filled(i, s)}

    def items(self) -> list:
        return self.target.items(self.subject) if self.flow.loop else [None]

    def steps_for(self, index: int | None) -> list[Step]:
        item = None if index is None else self.items()[index]
        return applicable(self.flow.steps, lambda f: self.target.value(self.subject, item, f))

    def positions(self) -> list[tuple[int | None, Step]]:
        if not self.flow.loop:
            return [(None, s) for s in self.steps_for(None)]
        return [(i, s) for i in range(len(self.items())) for s in self.steps_for(i)]

    def filled(self, index: int | None, step: Step) -> bool:
        item = None if index is None else self.items()[index]
        return self.target.value(self.subject, item, step.field) not in (None, "", [])

    def step(self) -> Step | None:
        return self.flow.step(self.conv.step) if self.flow else None

    def current_position(self) -> str | None:
        return None if self.conv.step is None else position(self.conv.item, self.conv.step)

    def next_position(self) -> tuple[int | None, str]:
        """The first applicable step not yet answered nor skipped; else the confirm step."""
        for index, s in self.positions():
            if position(index, s.field) not in self.conv.skipped and not self.filled(index, s):
                return index, s.field
        return None, CONFIRM

    # -- asking ---------------------------------------------------------------------------
    def ask(self, pos: str | None = None, *, with_value: bool = False) -> None:
        index, field_name = split_position(pos) if pos else self.next_position()
        if field_name != CONFIRM and not any((i, s.field) == (index, field_name) for i, s in self.positions()):
            index, field_name = self.next_position()    # it no longer applies: ask what does
        self.conv.item, self.conv.step, self.conv.failures = index, field_name, 0
        if field_name == CONFIRM:
            self.replies.extend(self.summary())
            # a flow may word its own (a monthly report has no 项目名称 to change)
            prompt = (self.flow.text("confirm_prompt") if "confirm_prompt" in self.flow.texts
                      else t("dialogue.confirm_prompt"))
            self.replies.append(Reply(prompt, lookup("dialogue.confirm_options")))
            return
        step = self.step()
        options = self.options(step)
        text = self.step_text(step, "prompt", options)
        if index is not None:
            text = t("dialogue.item_prefix", item=self.target.item_label(self.subject, self.items()[index])) + text
        if with_value and self.filled(index, step):
            value = self.target.value(self.subject, self.current_item(), step.field)
            text += t("dialogue.current_value", value=display(step, value, self.ctx()))
        self.replies.append(Reply(text, options))

    def step_text(self, step: Step, part: str, options: list[str] | None = None) -> str:
        """A step's prompt, help or example with the season's figures filled in. When the step
        has no options to show, its `<part>_no_options` text (if any) is used: help never points
        to a list that was not shown."""
        if options is None:
            options = self.options(step)
        template = getattr(step, part)
        if not options and step.extra.get(f"{part}_no_options"):
            template = step.extra[f"{part}_no_options"]
        return template.format_map(_Params(self.prompt_params()))

    def current_item(self):
        return None if self.conv.item is None else self.items()[self.conv.item]

    def options(self, step: Step) -> list[str]:
        return button_labels(step, self.ctx())

    def prompt_params(self) -> dict:
        ctx = self.ctx()
        return season_params(getattr(ctx, "season", None), ctx.today)

    def progress(self) -> dict | None:
        """第 current/total 步 (see progress.py)."""
        if not self.active:
            return None
        places = [(position(i, s.field), i, s) for i, s in self.positions()]
        done = {p for p, i, s in places if p in self.conv.skipped or self.filled(i, s)}
        return step_count([p for p, _, _ in places], done=done, prefilled=set(self.recall("prefilled", [])),
                          here=self.current_position(), at_confirm=self.conv.step == CONFIRM)

    def summary(self) -> list[Reply]:
        lines = [t("dialogue.summary_header")]
        last_index = object()
        for index, s in self.positions():
            if index is not None and index != last_index:
                lines.append(t("dialogue.summary_item", item=self.target.item_label(self.subject, self.items()[index])))
                last_index = index
            item = None if index is None else self.items()[index]
            value = self.target.value(self.subject, item, s.field)
            shown = display(s, value, self.ctx()) if value not in (None, "", []) else t("dialogue.not_filled")
            lines.append(t("dialogue.summary_line", label=label(s.field), value=shown))
        return [Reply("\n".join(lines))]

    def result(self) -> TurnResult:
        subject_id = self.entry.id if self.entry is not None else self.finished_id
        return TurnResult(self.replies, self.conv.step, self.done, subject_id, self.progress(),
                          self.flow.key if self.flow else "entry")

    # -- a turn ---------------------------------------------------------------------------
    def pending_question(self) -> TurnResult:
        """What GET /dialogue shows: the question now pending, asked again."""
        if self.flow is None:
            self.replies.append(self.welcome())
        elif self.conv.paused:
            self.replies.append(say("resume_hint"))
        elif self.conv.pending == "answer":
            self.replies.append(Reply(self.recall("confirm", {}).get("text") or t("dialogue.confirm_answer"),
                                      lookup("dialogue.yes_no_options")))
        elif self.conv.pending:
            self.replies.append(Reply(t(f"dialogue.confirm_{self.conv.pending}"), lookup("dialogue.yes_no_options")))
        elif self.conv.step is None:
            self.ask()
        else:
            self.ask(self.current_position(), with_value=True)
        return self.result()

    def handle_text(self, text: str) -> TurnResult:
        if self.conv.pending:
            self.answer_pending(text)
            return self.result()
        word = normalise(text).rstrip("。.!！")
        start = flows.by_start_word(word)
        if start is not None and (not self.active or self.conv.paused):
            self.start(start)
            return self.result()
        command = parse_command(text)
        if command is not None and self.run_command(command):
            return self.result()
        if self.flow is None:
            self.replies.append(self.welcome())
        elif self.conv.paused:
            self.replies.append(say("resume_hint"))
        elif self.conv.step is None:
            self.ask()
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
    def answer(self, raw, *, confirmed: bool = False) -> None:
        step = self.step()
        pos = self.current_position()
        shortlist = self.recall("shortlist")
        if shortlist and shortlist.get("pos") == pos and isinstance(raw, str):
            number = normalise(raw)                # a number picks from the list shown last
            if number.isdigit() and 1 <= int(number) <= len(shortlist["labels"]):
                raw = shortlist["labels"][int(number) - 1]
            elif number.isdigit():                 # beyond it: say what the list held, keep it
                labels = list(shortlist["labels"])
                self.replies.append(Reply(t("dialogue.shortlist_out_of_range", number=number, count=len(labels)),
                                          labels))
                return
        before = self.filled_positions()
        ctx = self.ctx()
        ctx.confirmed = confirmed
        try:
            texts = self.target.answer(ctx, step, self.current_item(), raw)
        except NeedsConfirmation as question:
            # Read but uncertain: nothing is stored until the person says 是 (any answer type may ask).
            self.conv.pending = "answer"
            self.remember("confirm", {"pos": pos, "raw": raw, "text": question.message,
                                      "declined": question.declined})
            self.replies.append(Reply(question.message, lookup("dialogue.yes_no_options")))
            return
        except AnswerError as exc:
            self.fail(step, exc)
            return
        finally:
            ctx.confirmed = False
        self.forget("shortlist")
        # Steps this answer filled besides its own (the leader's profile from "我本人") are prefilled.
        others = self.filled_positions() - before - {pos}
        prefilled = [p for p in self.recall("prefilled", []) if p != pos]
        if others or prefilled != self.recall("prefilled", []):
            self.remember("prefilled", sorted({*prefilled, *others}))
        self.conv.history = [*self.conv.history, pos]
        if pos in self.conv.skipped:
            self.conv.skipped = [p for p in self.conv.skipped if p != pos]
        self.replies.extend(Reply(text) for text in texts)
        self.ask()

    def fail(self, step: Step, exc: AnswerError) -> None:
        self.conv.failures += 1
        if exc.kept:
            self.conv.failures = 0          # not a typing problem: explained, answer kept
        text = exc.message
        if self.conv.failures >= MAX_TRIES:
            text += "\n" + t("dialogue.failed_three_times", help=self.step_text(step, "help"))
            text += "\n" + t("dialogue.example", example=self.step_text(step, "example"))
            text += "\n" + t("dialogue.offer_skip" if step.optional else "dialogue.offer_help")
        if exc.options:                     # a shortlist (search results): the next number picks from it
            self.remember("shortlist", {"pos": self.current_position(), "labels": list(exc.options)})
            self.replies.append(Reply(text, list(exc.options)))
            return
        self.forget("shortlist")
        self.replies.append(Reply(text, self.options(step)))

    # -- commands -------------------------------------------------------------------------
    def run_command(self, cmd: Command) -> bool:
        """Run a global command; False when the word should be read as an answer instead."""
        if not self.active:
            if cmd.name == "resume" and self.resume_latest():
                return True
            self.replies.append(say("no_active_entry"))
        elif cmd.name == "resume":
            self.conv.paused = False
            self.replies.append(say("resume_draft"))
            self.ask(self.current_position(), with_value=True)
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
                self.replies.append(Reply(t("dialogue.help_header") + self.step_text(step, "help")
                                          + "\n" + t("dialogue.example", example=self.step_text(step, "example"))
                                          + "\n" + t("dialogue.commands_hint")))
                self.ask(self.current_position())
        elif cmd.name == "review":
            if self.conv.step != CONFIRM:       # the confirm step shows the summary itself (it came twice)
                self.replies.extend(self.summary())
            self.ask(self.current_position(), with_value=True)
        elif cmd.name == "back":
            self.back()
        elif cmd.name == "skip":
            self.skip()
        elif cmd.name == "done" and self.step() is not None and self.step().extra.get("done_word_ends"):
            self.conv.skipped = [*self.conv.skipped, self.current_position()]
            self.ask()
        elif cmd.name == "done":
            return False
        elif cmd.name == "edit":
            if not cmd.explicit and self.resolve(cmd.arg) is None:
                return False                       # "修改皮带机…" is an answer, not a command
            self.edit(cmd.arg)
        elif cmd.name in ("restart", "abandon"):
            self.conv.pending = cmd.name
            self.replies.append(Reply(t(f"dialogue.confirm_{cmd.name}"), lookup("dialogue.yes_no_options")))
        elif cmd.name == "submit":
            if self.conv.step != CONFIRM:
                return False
            self.complete()
        return True

    def start(self, flow: Flow) -> None:
        if flow.requires and not self.can(self.user, flow.requires):
            self.replies.append(Reply(flow.text("not_allowed")))
            return
        self.idle()
        self.flow, self.target = flow, targets.get(flow.target)
        self.subject = self.target.start(self.user, self.conv, flow)
        self.target.attach(self.conv, self.subject)
        self.conv.flow = flow.key
        self.conv.state = {"prefilled": sorted(self.filled_positions())}
        self.replies.append(Reply(flow.text("started", total=self.progress_total())))
        self.ask()

    def progress_total(self) -> int:
        keys = [position(i, s.field) for i, s in self.positions()]
        return step_count(keys, done=set(), prefilled=set(self.recall("prefilled", [])), here=None,
                          at_confirm=True)["total"]

    def resume_latest(self) -> bool:
        for key in flows.keys():
            flow = flows.get(key)
            target = targets.get(flow.target)
            found = target.latest(self.user)
            if found is not None and found[1] == key:
                self.flow, self.target, self.subject = flow, target, found[0]
                target.attach(self.conv, self.subject)
                self.conv.flow, self.conv.paused, self.conv.history, self.conv.skipped = key, False, [], []
                self.conv.state = {}
                self.replies.append(say("resume_draft"))
                self.ask()
                return True
        return False

    def back(self) -> None:
        here = self.current_position()
        live = {position(i, s.field) for i, s in self.positions()}
        # Only steps that still apply: an answer that made others inapplicable hides them.
        history = [p for p in self.conv.history if p != here and p in live]
        if not history:
            self.replies.append(say("back_at_start"))
            self.ask(here, with_value=True)
            return
        self.conv.history = history[:-1]
        self.ask(history[-1], with_value=True)

    def skip(self) -> None:
        step = self.step()
        if step is None or not step.optional:
            self.replies.append(say("cannot_skip", label=label(self.conv.step) if step else ""))
            self.ask(self.current_position())
            return
        self.conv.skipped = [*self.conv.skipped, self.current_position()]
        self.replies.append(say("skipped", label=label(step.field)))
        self.ask()

    def edit(self, name: str) -> None:
        field_name = self.resolve(name)
        if field_name is None:
            labels = "、".join(dict.fromkeys(label(s.field) for _, s in self.positions()))
            self.replies.append(say("unknown_field", name=name, labels=labels))
            self.ask(self.current_position())
            return
        index = self.conv.item if self.flow.loop else None
        pos = position(index, field_name)
        self.conv.skipped = [p for p in self.conv.skipped if p != pos]
        self.ask(pos, with_value=True)

    def resolve(self, name: str) -> str | None:
        return resolve_field(name, [s for _, s in self.positions()])

    def answer_pending(self, text: str) -> None:
        action, self.conv.pending = self.conv.pending, None
        if action == "answer":
            self.answer_confirmation(text)
            return
        try:
            confirmed = parse_yesno(text)
        except AnswerError:
            confirmed = False
        if not confirmed:
            self.replies.append(say("cancelled_command"))
            self.ask(self.current_position(), with_value=True)
            return
        flow = self.flow
        self.target.withdraw(self.user, self.subject, reason=action)
        if action == "restart":
            self.replies.append(say("restart_done"))
            self.idle()
            self.start(flow)
        else:
            self.idle()
            self.replies.append(say("abandon_done"))

    def answer_confirmation(self, text: str) -> None:
        """The reply to an answer's confirm-back: 是 stores the answer as read; 否 asks the step
        again; anything else (a new answer, a command) is read as usual. The draft is untouched
        until then."""
        proposal = self.recall("confirm") or {}
        self.forget("confirm")
        try:
            confirmed = parse_yesno(text)
        except AnswerError as exc:
            confirmed = None
            if exc.key == "yesno_uncertain" and proposal.get("pos") == self.current_position():
                # 不知道 / 不确定 to "按 50 万元/年 记录，对吗？" is neither a yes nor a new answer (it
                # used to be read as one: "没看懂这个金额"): say so and ask the same question again.
                self.conv.pending = "answer"
                self.remember("confirm", proposal)
                self.replies.append(Reply(t("dialogue.confirm_uncertain")))
                self.replies.append(Reply(proposal.get("text") or t("dialogue.confirm_answer"),
                                          lookup("dialogue.yes_no_options")))
                return
        if proposal.get("pos") != self.current_position() or confirmed is None:
            self.handle_text(text)
        elif confirmed:
            self.answer(proposal["raw"], confirmed=True)
        else:
            self.replies.append(Reply(proposal.get("declined") or t("dialogue.confirm_declined")))
            self.ask(self.current_position())

    def complete(self) -> None:
        outcome = self.target.complete(self.user, self.subject, self.flow.complete)
        self.replies.extend(Reply(text) for text in outcome.texts)
        if outcome.ask:
            self.ask(outcome.ask)
        elif outcome.done:
            self.done, self.finished_id = True, outcome.subject_id
            self.idle()


def resolve_field(name: str, active: list[Step]) -> str | None:
    name = normalise(name)
    if not name:
        return None
    fields = list(dict.fromkeys(s.field for s in active))
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


class _Params(dict):
    """Season figures for texts; a placeholder with no figure (no season) is left as written."""

    def __missing__(self, key):
        return "{" + key + "}"
