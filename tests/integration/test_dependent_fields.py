"""Issue 12 items 9, 10, 12: answers that depend on others. Going back, jumping and form mode never
touch a field whose condition is false; changing a field clears its dependants (old values in the
audit trail); a cross-field rule is checked when either field is answered. Table-driven."""
from __future__ import annotations

import pytest

from server.extensions import db
from server.models import AuditEvent, Entry

from ..helpers import auth_header, login
from .chat import ANSWERS, DONE, START, Chat, walk, through

PATENT = "ZL 2020 2 1234567.2"


@pytest.mark.parametrize("switch, answer, hidden", [
    ("修改 是否获得专利", "没有", {"patent.number", "patent.announced_on"}),
    ("修改 效益类型", "社会效益", {"benefit.amount"}),
])
def test_going_back_never_lands_on_a_step_that_no_longer_applies(client, seeded, switch, answer, hidden):
    chat = Chat(client, "demo-participant")
    chat.say("申报")
    walk(chat, through("benefit.amount"))                      # through benefit.amount
    chat.say(switch)
    chat.say(answer)
    visited = set()
    for _ in range(25):
        chat.say("返回")
        visited.add(chat.step)
    assert visited and not (visited & hidden), visited
    entry = db.session.get(Entry, chat.last["entry_id"])
    assert all(getattr(entry, {"patent.number": "patent_number", "patent.announced_on": "patent_announced_on",
                               "benefit.amount": "benefit_amount"}[f]) is None for f in hidden)
    assert db.session.query(AuditEvent).filter_by(action="entry_fields_cleared", object_id=entry.id).count() == 1


def _draft(client) -> tuple[dict, int]:
    h = auth_header(login(client, "demo-participant")["token"])
    res = client.post("/api/v1/entries", json={"category": "设备"}, headers=h)
    return h, res.get_json()["id"]


@pytest.mark.parametrize("first, then, refused, stored", [
    # a field whose condition is false is refused, whatever the order of the keys
    ({"benefit": {"kind": "social"}}, {"benefit": {"amount": "30万"}}, ["benefit.amount"], {"benefit_amount": None}),
    (None, {"patent": {"granted": False, "number": PATENT}}, ["patent.number"], {"patent_number": None}),
    (None, {"patent": {"number": PATENT, "granted": False}}, ["patent.number"], {"patent_number": None}),
    (None, {"patent": {"number": PATENT, "granted": True}}, [], {"patent_number": "ZL202021234567.2"}),
    (None, {"benefit": {"amount": "30万", "kind": "economic"}}, [], {"benefit_kind": "economic"}),
    ({"patent": {"granted": True, "number": PATENT}}, {"patent": {"granted": False}}, [], {"patent_number": None}),
    # a start in the same month as the completion (to the day) is not a conflict
    ({"completed_on": f"{DONE[0]}-{DONE[1]:02d}"}, {"started_on": f"{DONE[0]}-{DONE[1]:02d}-28"}, [], {}),
])
def test_form_mode_never_stores_a_contradiction(client, seeded, first, then, refused, stored):
    h, entry_id = _draft(client)
    if first:
        assert client.patch(f"/api/v1/entries/{entry_id}", json=first, headers=h).status_code == 200
    res = client.patch(f"/api/v1/entries/{entry_id}", json=then, headers=h)
    problems = [p["field"] for p in res.get_json().get("error", {}).get("problems", [])]
    assert problems == refused and res.status_code == (400 if refused else 200), res.get_json()
    db.session.expire_all()
    entry = db.session.get(Entry, entry_id)
    for attr, value in stored.items():
        assert getattr(entry, attr) == value
    assert entry.patent_granted is True or (entry.patent_number, entry.patent_announced_on) == (None, None)
    assert entry.benefit_kind != "social" or entry.benefit_amount is None


def test_a_start_edited_after_the_completion_is_refused_where_it_is_given(client, seeded):
    chat = Chat(client, "demo-participant")
    chat.say("申报")
    walk(chat, ANSWERS[:5])                        # completion month given
    chat.say("修改 开始时间")
    later = (DONE[0] + (DONE[1] // 12), DONE[1] % 12 + 1)
    chat.say(f"{later[0]}年{later[1]}月")
    assert chat.step == "started_on" and "修改 完成时间" in chat.text()
    assert db.session.get(Entry, chat.last["entry_id"]).started_on == f"{START[0]}-{START[1]:02d}"


def test_form_mode_refuses_a_start_after_the_completion(client, seeded):
    h, entry_id = _draft(client)
    client.patch(f"/api/v1/entries/{entry_id}", json={"completed_on": f"{START[0]}-{START[1]:02d}"}, headers=h)
    later = (START[0] + (START[1] // 12), START[1] % 12 + 1)
    res = client.patch(f"/api/v1/entries/{entry_id}", json={"started_on": f"{later[0]}-{later[1]:02d}"}, headers=h)
    assert res.status_code == 400 and res.get_json()["error"]["problems"][0]["field"] == "started_on"


@pytest.mark.parametrize("answer, stored", [
    ("两万五千元", "2.50"), ("5万块钱", "5.00"), ("壹拾万元", "10.00"), ("三千元", "0.30"), ("3000万", "3000.00"),
    ("50万左右", "50.00"),
])
def test_amounts_as_people_write_them_are_stored_in_wan_yuan(client, seeded, answer, stored):
    h, entry_id = _draft(client)
    res = client.patch(f"/api/v1/entries/{entry_id}", json={"benefit": {"kind": "economic", "amount": answer}}, headers=h)
    assert res.status_code == 200, res.get_json()
    assert f"{db.session.get(Entry, entry_id).benefit_amount:.2f}" == stored


@pytest.mark.parametrize("answer", ["三千", "3000", "5000"])
def test_a_bare_figure_of_doubtful_unit_is_asked_again_not_guessed(client, seeded, answer):
    h, entry_id = _draft(client)
    res = client.patch(f"/api/v1/entries/{entry_id}", json={"benefit": {"kind": "economic", "amount": answer}}, headers=h)
    problems = {p["field"]: p["message"] for p in res.get_json()["error"]["problems"]}
    assert "万" in problems["benefit.amount"] and "元" in problems["benefit.amount"]
    assert db.session.get(Entry, entry_id).benefit_amount is None
