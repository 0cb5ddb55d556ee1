"""The target protocol: what a flow's answers are stored on. The engine knows only this
protocol; services implement it (an entry draft, a farmer, an expert's score sheets, a monthly
report) and register each under the name a flow's `target:` uses. The engine never imports a
service, so a target is how a service's rules (drafts, submission, audit) reach a dialogue."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from ..forms.catalogue import Step
from ..forms.types import Context
from ..models import Conversation, User


@dataclass
class Completion:
    """What a flow's completion action did: texts to say; `done` when the subject is finished
    (the conversation goes idle); otherwise `ask` names the step to ask again (a problem)."""
    texts: list[str] = field(default_factory=list)
    done: bool = False
    ask: str | None = None
    subject_id: int | None = None
    next_flow: str | None = None      # continue with this flow on the same subject


class Target(Protocol):
    def subject(self, conv: Conversation):
        """The record the conversation's answers go to, or None."""

    def attach(self, conv: Conversation, subject) -> None:
        """Make `subject` the conversation's subject (None detaches)."""

    def open(self, subject) -> bool:
        """Whether the subject can still be answered (a submitted entry cannot)."""

    def start(self, user: User, conv: Conversation):
        """Create a new subject for the user; raises AppError when they may not."""

    def latest(self, user: User):
        """The user's most recent unfinished subject (for 继续 when nothing is open), or None."""

    def context(self, user: User, subject, conv: Conversation, content_verdicts: dict) -> Context: ...

    def items(self, subject) -> list:
        """What the steps are asked for: [None] for a form, or one item per record in a loop."""

    def value(self, subject, item, field: str): ...

    def answer(self, ctx: Context, step: Step, item, raw) -> list[str]:
        """Parse, check and store one answer; texts to say besides the next question.
        Raises AnswerError (nothing stored, unless the error says kept)."""

    def complete(self, user: User, subject, action: str) -> Completion: ...

    def withdraw(self, user: User, subject, reason: str) -> None:
        """Give up the subject (放弃, 重新开始)."""

    def item_label(self, subject, item) -> str:
        """How an item of a loop is named in questions and the summary."""


TARGETS: dict[str, Target] = {}


def register(name: str, target: Target) -> None:
    TARGETS[name] = target


def get(name: str) -> Target:
    return TARGETS[name]
