"""The engine runs a flow it has never seen, declared as data here, with no engine change: a
loop that asks two steps for each of three records, then a summary and a completion. No
database, no HTTP: the target keeps its answers in memory (the engine only speaks the target
protocol, so this is exactly what a score sheet or a monthly report target will face)."""
from __future__ import annotations

from datetime import date

import pytest

from server.dialogue import flows, targets
from server.dialogue.engine import CONFIRM, Engine
from server.dialogue.targets import Completion
from server.forms.types import Context, parse_answer
from server.models import Conversation, User

FLOW = {
    "title": "测试打分",
    "start": ["测试打分"],
    "target": "test_records",
    "loop": True,
    "complete": "finish",
    "steps": [
        {"field": "title", "type": "text", "min": 2, "max": 20, "prompt": "这一项叫什么？", "help": "写名称。",
         "example": "甲"},
        {"field": "funded_project", "type": "yesno", "prompt": "是否通过？", "help": "回答是或否。", "example": "是"},
    ],
    "started": "开始，共 {total} 步。",
}


class Records:
    """Three records; answers kept in a dict per (record, field)."""

    def __init__(self):
        self.values: dict[tuple[str, str], object] = {}
        self.completed: list[str] = []

    def subject(self, conv):
        return self if conv.subject_id == 1 else None

    def attach(self, conv, subject):
        conv.subject_id = 1 if subject is not None else None

    def open(self, subject):
        return True

    def start(self, user, conv, flow):
        return self

    def latest(self, user):
        return None

    def context(self, user, subject, conv, content_verdicts):
        return Context(user=user, entry=None, season=None, today=date(2026, 11, 30), subject=subject)

    def items(self, subject):
        return ["甲", "乙", "丙"]

    def value(self, subject, item, field):
        return self.values.get((item, field))

    def answer(self, ctx, step, item, raw):
        self.values[(item, step.field)] = parse_answer(step, raw, ctx)
        return []

    def complete(self, user, subject, action):
        self.completed.append(action)
        return Completion(texts=["完成了"], done=True, subject_id=7)

    def withdraw(self, user, subject, reason):
        self.values.clear()

    def item_label(self, subject, item):
        return f"记录{item}"


@pytest.fixture()
def records():
    store = Records()
    targets.register("test_records", store)
    flows.register("test_loop", FLOW)
    yield store
    targets.TARGETS.pop("test_records")
    flows._EXTRA.pop("test_loop")
    flows.get.cache_clear()


def allow(user, action, obj=None) -> bool:
    return True


def turn(conv: Conversation, text: str):
    return Engine(User(openid="o-test", name="测试"), conv, can=allow).handle_text(text)


def new_conversation() -> Conversation:
    return Conversation(user_id=1, history=[], skipped=[], failures=0, paused=False)


def test_two_steps_for_each_of_three_records_then_a_summary(records):
    conv = new_conversation()
    result = turn(conv, "测试打分")
    assert result.flow == "test_loop" and result.step == "title"
    assert result.progress == {"current": 1, "total": 7}
    asked = []
    for item, (name, verdict) in zip("甲乙丙", (("第一项", "是"), ("第二项", "否"), ("第三项", "是"))):
        assert "记录" + item in result.replies[-1].text
        asked.append((conv.item, result.step))
        result = turn(conv, name)
        asked.append((conv.item, result.step))
        assert result.replies[-1].options == ["是", "否"]
        result = turn(conv, verdict)
    assert asked == [(0, "title"), (0, "funded_project"), (1, "title"), (1, "funded_project"),
                     (2, "title"), (2, "funded_project")]
    assert result.step == CONFIRM and result.progress == {"current": 7, "total": 7}
    summary = result.replies[0].text
    assert [line for line in summary.splitlines() if line.startswith("【记录")] == ["【记录甲】", "【记录乙】", "【记录丙】"]
    assert records.values[("乙", "title")] == "第二项" and records.values[("乙", "funded_project")] is False
    done = turn(conv, "提交")
    assert done.done and done.entry_id == 7 and records.completed == ["finish"]
    assert conv.flow is None and conv.step is None


def test_back_and_a_bad_answer_stay_on_the_right_record(records):
    conv = new_conversation()
    turn(conv, "测试打分")
    turn(conv, "第一项")
    turn(conv, "是")
    result = turn(conv, "返回")                      # back from 乙's title to 甲's verdict
    assert (conv.item, result.step) == (0, "funded_project")
    result = turn(conv, "也许吧吧吧")                # not a yes/no: asked again, nothing stored
    assert (conv.item, result.step) == (0, "funded_project") and records.values[("甲", "funded_project")] is True
    result = turn(conv, "否")
    assert (conv.item, result.step) == (1, "title")
    assert records.values[("甲", "funded_project")] is False


def test_a_removed_flow_leaves_the_conversation_idle(records):
    conv = new_conversation()
    turn(conv, "测试打分")
    conv.flow = "no_such_flow"
    result = turn(conv, "第一项")
    assert result.step is None and conv.flow is None and result.replies       # welcomed, not a crash


def test_a_step_that_no_longer_exists_asks_the_next_one(records):
    conv = new_conversation()
    turn(conv, "测试打分")
    conv.step = "renamed_step"
    result = Engine(User(openid="o-test"), conv, can=allow).pending_question()
    assert (conv.item, result.step) == (0, "title")
    result = turn(conv, "第一项")
    assert records.values[("甲", "title")] == "第一项" and result.step == "funded_project"
