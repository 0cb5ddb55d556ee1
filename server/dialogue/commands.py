"""Commands that work at any step (their words: message_templates/zh_CN/dialogue.yaml, commands).
A message is a command only when it is one of these words (or 修改 followed by a field), so a
free-text answer that merely contains one is an answer."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ..forms.parsers import normalise
from ..texts import lookup



@lru_cache(maxsize=None)
def _lookup() -> dict[str, str]:
    return {w: name for name, words in lookup("dialogue.commands").items() for w in words}


@dataclass
class Command:
    name: str
    arg: str = ""
    explicit: bool = True    # for 修改: written with a separator ("修改 项目名称")


def parse_command(text: str) -> Command | None:
    answer = normalise(text).rstrip("。.!！")
    if answer in _lookup():
        return Command(_lookup()[answer])
    # "修改 项目名称"; a long text that starts with 修改 is an answer, not a command.
    if answer.startswith("修改") and len(answer) <= 16:
        rest = answer[2:]
        return Command("edit", rest.strip(" ：:"), explicit=not rest or rest[0] in " ：:")
    return None
