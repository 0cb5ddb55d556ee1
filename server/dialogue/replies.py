"""What a turn answers: the replies (text and the buttons offered) and where the conversation
stands afterwards — the shape of POST /api/v1/dialogue/messages (DESIGN.md)."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..texts import t


@dataclass
class Reply:
    text: str
    options: list[str] = field(default_factory=list)


@dataclass
class TurnResult:
    replies: list[Reply]
    step: str | None                    # the field being asked, "confirm", or None when idle
    done: bool = False
    entry_id: int | None = None         # the subject's id (or the one this turn completed)
    progress: dict | None = None        # {"current", "total"} (progress.py)
    flow: str = "entry"


def say(key: str, **params) -> Reply:
    """A reply of the engine's own words (message_templates/zh_CN/dialogue.yaml)."""
    return Reply(t(f"dialogue.{key}", **params))
