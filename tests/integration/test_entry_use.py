"""Issue 18 item 1: an entry records when its result was put into use (项目成果应用时间) and whether
it is used in production (用于生产实际); both asked by the dialogue and accepted in form mode,
with the time of use checked against the start and today."""
from __future__ import annotations

from datetime import timedelta

import pytest

from server.extensions import db
from server.models import Entry
from server.timeutil import china_today

from ..helpers import auth_header, login
from .chat import APPLIED, START, Chat, through, walk


def _draft(client) -> tuple[dict, int]:
    h = auth_header(login(client, "demo-participant")["token"])
    res = client.post("/api/v1/entries", json={"started_on": f"{START[0]}-{START[1]:02d}"}, headers=h)
    return h, res.get_json()["id"]


def _before(year_month: tuple[int, int]) -> str:
    year, month = year_month
    return f"{year - 1 if month == 1 else year}-{12 if month == 1 else month - 1:02d}"


FUTURE = (china_today() + timedelta(days=70)).strftime("%Y-%m")


@pytest.mark.parametrize("body, refused, stored", [
    ({"applied_on": f"{APPLIED[0]}年{APPLIED[1]}月"}, None, {"applied_on": f"{APPLIED[0]}-{APPLIED[1]:02d}"}),
    ({"applied_on": f"{START[0]}-{START[1]:02d}"}, None, {"applied_on": f"{START[0]}-{START[1]:02d}"}),
    ({"applied_on": _before(START)}, "不能早于项目开始实施的时间", {"applied_on": None}),
    ({"applied_on": FUTURE}, "今天", {"applied_on": None}),
    ({"in_production": "是的"}, None, {"in_production": True}),
    ({"in_production": "还没有"}, None, {"in_production": False}),
    ({"in_production": False}, None, {"in_production": False}),
])
def test_time_of_use_and_production_in_form_mode(client, seeded, body, refused, stored):
    h, entry_id = _draft(client)
    res = client.patch(f"/api/v1/entries/{entry_id}", json=body, headers=h)
    if refused:
        assert res.status_code == 400
        problem = res.get_json()["error"]["problems"][0]
        assert problem["field"] == "applied_on" and refused in problem["message"], problem
    else:
        assert res.status_code == 200, res.get_json()
        assert {k: res.get_json()[k] for k in stored} == stored
    db.session.expire_all()
    entry = db.session.get(Entry, entry_id)
    assert {k: getattr(entry, k) for k in stored} == stored


def test_the_dialogue_asks_both_after_the_completion(client, seeded):
    chat = Chat(client, "demo-participant")
    chat.say("申报")
    walk(chat, through("completed_on"))
    assert chat.step == "applied_on" and "应用" in chat.text()
    chat.say(_before(START).replace("-", "年") + "月")
    assert chat.step == "applied_on" and "修改 开始时间" in chat.text()
    walk(chat, through("in_production")[-2:])
    assert chat.step == "funded_project"
    entry = db.session.get(Entry, chat.last["entry_id"])
    assert (entry.applied_on, entry.in_production) == (f"{APPLIED[0]}-{APPLIED[1]:02d}", True)
