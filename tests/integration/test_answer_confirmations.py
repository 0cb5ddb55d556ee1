"""Issue 12 items 2 and 3: an amount read with some doubt (approximate: 多, 余, 左右, 近, 大约 …; or a
bare figure whose unit is doubtful: 3000 at the 万元/年 question) is confirmed back with 是/否 before
it is stored. 是 stores the reading, 否 asks again, a new amount is read afresh; nothing else of the
draft changes meanwhile. Form mode, which cannot ask back, is tested at the end. Table-driven."""
from __future__ import annotations

from decimal import Decimal

import pytest

from server.extensions import db
from server.forms.values import get_value
from server.models import Entry

from ..helpers import auth_header, login
from .chat import Chat, through, walk

TO_AMOUNT = through("benefit.kind")     # benefit.kind = 经济: the next question is the amount


def at_amount(client) -> Chat:
    chat = Chat(client, "demo-participant")
    chat.say("申报")
    walk(chat, TO_AMOUNT)
    assert chat.step == "benefit.amount"
    return chat


def stored(chat: Chat):
    db.session.expire_all()
    return db.session.get(Entry, chat.last["entry_id"]).benefit_amount


@pytest.mark.parametrize("answer, question, reply, amount", [
    # approximate amounts: read as the base figure, confirmed back
    ("50多万", "按 50 万元/年 记录，对吗？", "是", "50"),
    ("约50万", "按 50 万元/年 记录，对吗？", "对", "50"),
    ("50万左右", "按 50 万元/年 记录，对吗？", "没错", "50"),
    ("近30万元", "按 30 万元/年 记录，对吗？", "是的", "30"),
    ("大约五十万", "按 50 万元/年 记录，对吗？", "是", "50"),
    ("5万余元", "按 5 万元/年 记录，对吗？", "嗯", "5"),
    ("十来万块钱", "按 10 万元/年 记录，对吗？", "是", "10"),
    # a bare figure of an implausible size: its unit is doubtful, both readings are offered
    ("3000", "按 3000 万元/年 记录，对吗？还是 3000 元？", "是", "3000"),
    ("三千", "按 3000 万元/年 记录，对吗？还是 3000 元？", "是", "3000"),
    ("5000", "按 5000 万元/年 记录，对吗？还是 5000 元？", "5000元", "0.5"),     # a new amount instead
    ("三千", "按 3000 万元/年 记录，对吗？还是 3000 元？", "3千元", "0.3"),
])
def test_a_doubtful_amount_is_confirmed_back_before_it_is_stored(client, seeded, answer, question, reply, amount):
    chat = at_amount(client)
    chat.say(answer)
    assert chat.text() == question and chat.last["replies"][-1]["options"] == ["是", "否"]
    assert chat.step == "benefit.amount" and stored(chat) is None          # nothing stored yet
    # asked again after a break (GET /dialogue, another phone): the same confirmation
    again = client.get("/api/v1/dialogue", headers=chat.headers).get_json()
    assert again["replies"][-1]["text"] == question
    chat.say(reply)
    assert stored(chat) == Decimal(amount)
    assert chat.step == "leader.name"


@pytest.mark.parametrize("answer, declined_says", [
    ("50多万", "没有记录"),
    ("3000", "3000万"),           # says how to give the unit
])
def test_no_asks_again_and_keeps_the_draft(client, seeded, answer, declined_says):
    chat = at_amount(client)
    entry_id = chat.last["entry_id"]
    before = {f: get_value(db.session.get(Entry, entry_id), f) for f in ("title", "summary", "benefit.kind")}
    chat.say(answer)
    chat.say("否")
    assert declined_says in chat.text() and chat.step == "benefit.amount" and stored(chat) is None
    assert "每年创造的经济效益" in chat.text()                                 # the question again
    chat.say("是")                     # no confirmation is pending any more: 是 is no amount
    assert chat.step == "benefit.amount" and stored(chat) is None
    chat.say("50万")                   # a plain amount is stored at once
    assert stored(chat) == Decimal("50") and chat.step == "leader.name"
    db.session.expire_all()
    assert {f: get_value(db.session.get(Entry, entry_id), f) for f in before} == before


@pytest.mark.parametrize("plain, amount", [("50万", "50"), ("五十万元", "50"), ("500000元", "50"),
                                           ("12", "12"), ("3千元", "0.3"), ("0.5亿", "5000")])
def test_a_plain_amount_is_stored_without_asking(client, seeded, plain, amount):
    chat = at_amount(client)
    chat.say(plain)
    assert stored(chat) == Decimal(amount) and chat.step == "leader.name"
    assert "对吗" not in chat.text()


@pytest.mark.parametrize("unsure", ["不知道", "不确定", "说不好"])
def test_an_unsure_reply_to_the_confirm_back_asks_it_again(client, seeded, unsure):
    """不知道 is neither 是 nor a new amount: it was read as one ("没看懂这个金额")."""
    chat = at_amount(client)
    chat.say("约50万")
    chat.say(unsure)
    assert "没看懂" not in chat.text() and "还没有记录" in chat.text()
    assert chat.text().endswith("按 50 万元/年 记录，对吗？") and chat.last["replies"][-1]["options"] == ["是", "否"]
    assert chat.step == "benefit.amount" and stored(chat) is None
    chat.say("是")
    assert stored(chat) == Decimal("50") and chat.step == "leader.name"


def test_a_command_while_a_confirmation_waits(client, seeded):
    chat = at_amount(client)
    chat.say("约50万")
    chat.say("暂停")
    assert "草稿已保存" in chat.text() and stored(chat) is None
    chat.say("继续")
    assert chat.step == "benefit.amount" and "每年创造的经济效益" in chat.text()
    chat.say("返回")
    assert chat.step == "benefit.kind"


# -- form mode ----------------------------------------------------------------------------------
# A form cannot ask back. Its amount field is labelled 万元/年: a JSON number is taken as given; an
# approximate text is read as its base figure (the form shows the stored value at once); a bare text
# figure of a doubtful unit is refused, saying how to write the unit (nothing stored on a guess).
@pytest.mark.parametrize("amount, status, stored_amount, says", [
    (3000, 200, "3000", None),
    (12.5, 200, "12.5", None),
    ("50多万", 200, "50", None),
    ("约50万元", 200, "50", None),
    ("3000元", 200, "0.3", None),
    ("3000万", 200, "3000", None),
    ("3000", 400, None, "3000万"),
    ("三千", 400, None, "3000元"),
])
def test_form_mode_amounts(client, seeded, amount, status, stored_amount, says):
    h = auth_header(login(client, "demo-participant")["token"])
    entry_id = client.post("/api/v1/entries", json={"benefit": {"kind": "economic"}}, headers=h).get_json()["id"]
    res = client.patch(f"/api/v1/entries/{entry_id}", json={"benefit": {"amount": amount}}, headers=h)
    assert res.status_code == status, res.get_json()
    db.session.expire_all()
    value = db.session.get(Entry, entry_id).benefit_amount
    assert value == (Decimal(stored_amount) if stored_amount else None)
    if says:
        problem = res.get_json()["error"]["problems"][0]
        assert problem["field"] == "benefit.amount" and says in problem["message"]
