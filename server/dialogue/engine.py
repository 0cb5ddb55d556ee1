"""The generic dialogue engine: one turn = global commands first, then the answer to the step
being asked, then the next question. It runs any flow of the registry (flows.py) on the flow's
target (targets.py); it knows no field, no table and no service. The caller
(services/dialogue.py) owns the transaction and the lock.

The Engine is one object per turn, put together from one mixin per concern, each in its own
module: places.py (where the conversation stands: positions, the next step, the step count),
asking.py (a question's text and buttons, the summary), answering.py (an answer, a failure, a
reply to a question asked back), commanding.py (the global commands), flow_lifecycle.py (start,
resume, complete, idle) and conversation_state.py (the notes kept between turns). This module
holds the turn itself: loading the conversation and the two entry points."""
from __future__ import annotations

from ..forms.parsers import normalise
from ..forms.types import Context
from ..models import Conversation, User
from ..texts import lookup, t
from . import flows, targets
from .answering import MAX_TRIES, Answering
from .asking import Asking
from .commanding import Commanding
from .commands import parse_command
from .conversation_state import ConversationState
from .flow_lifecycle import FlowLifecycle
from .flows import Flow
from .places import CONFIRM, Places, position, resolve_field, split_position
from .replies import Reply, TurnResult, say

__all__ = ["CONFIRM", "MAX_TRIES", "Engine", "Reply", "TurnResult", "position", "resolve_field", "say",
           "split_position"]


class Engine(Places, Asking, Answering, Commanding, FlowLifecycle, ConversationState):
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

    @property
    def entry(self):
        """The subject when it is an entry draft (services/dialogue.py stores uploads on it)."""
        return self.subject if self.flow is not None and self.flow.target == "entry" else None

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
