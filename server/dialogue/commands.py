"""Commands that work at any step. A message is a command only when it is one of these words
(or 修改 followed by a field), so a free-text answer that merely contains one is an answer."""
from __future__ import annotations

from dataclasses import dataclass

from ..forms.parsers import normalise

WORDS = {
    "back": ("返回", "上一步", "上一个", "后退"),
    "skip": ("跳过", "略过", "先跳过"),
    "help": ("帮助", "?", "？", "帮忙", "怎么填", "不知道怎么填"),
    "review": ("查看", "看看", "查看全部", "预览"),
    "pause": ("暂停", "取消", "先不填了", "等会再填", "稍后再填"),
    "resume": ("继续", "接着填", "恢复"),
    "restart": ("重新开始", "重来", "从头开始"),
    "abandon": ("放弃", "作废", "不报了"),
    "start": ("申报", "开始", "开始申报", "我要申报", "新建", "填报"),
    "proxy": ("为农户申报", "代农户申报", "帮农户申报", "农户申报"),
    "submit": ("提交", "确认提交", "提交申报"),
    "done": ("完成", "发完了", "没有了", "好了"),
}
_LOOKUP = {w: name for name, words in WORDS.items() for w in words}


@dataclass
class Command:
    name: str
    arg: str = ""
    explicit: bool = True    # for 修改: written with a separator ("修改 项目名称")


def parse_command(text: str) -> Command | None:
    answer = normalise(text).rstrip("。.!！")
    if answer in _LOOKUP:
        return Command(_LOOKUP[answer])
    # "修改 项目名称"; a long text that starts with 修改 is an answer, not a command.
    if answer.startswith("修改") and len(answer) <= 16:
        rest = answer[2:]
        return Command("edit", rest.strip(" ：:"), explicit=not rest or rest[0] in " ：:")
    return None
