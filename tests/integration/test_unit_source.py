"""An entry records how its unit was chosen (issue 13, item 16): "role" when it is the
organisation of one of the filer's roles, "named" when named freely; shown in the entry view."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from server.extensions import db
from server.models import Entry, Organisation

from ..helpers import auth_header, login
from .chat import ANSWERS, Chat


def org_id(name: str) -> int:
    return db.session.scalar(select(Organisation.id).where(Organisation.name == name))


OWN_UNIT, OTHER_UNIT = "晋城示范煤机制造有限公司", "晋城蓝天新材料科技有限公司"


@pytest.mark.parametrize("code,body,expected", [
    ("demo-participant", {}, "role"),                               # one unit of their own: prefilled
    ("demo-participant", {"unit": OTHER_UNIT}, "named"),            # another unit, by name
    ("demo-participant", {"unit": "other-by-id"}, "named"),         # another unit, by id
    ("demo-participant", {"unit": "own-by-id"}, "role"),
    ("worker-without-roles", {"unit": OTHER_UNIT}, "named"),        # no role: always named
    ("worker-without-roles", {}, None),                             # no unit yet
    ("demo-unit-admin", {"unit": "own-by-id"}, "role"),
])
def test_form_mode_records_how_the_unit_was_chosen(client, seeded, code, body, expected):
    h = auth_header(login(client, code)["token"])
    ids = {"other-by-id": org_id(OTHER_UNIT), "own-by-id": org_id(OWN_UNIT)}
    body = {k: ids.get(v, v) for k, v in body.items()}
    entry_id = client.post("/api/v1/entries", json={}, headers=h).get_json()["id"]
    res = client.patch(f"/api/v1/entries/{entry_id}", json=body, headers=h) if body else \
        client.get(f"/api/v1/entries/{entry_id}", headers=h)
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["unit_source"] == expected
    assert db.session.get(Entry, entry_id).unit_source == expected


def test_changing_the_unit_back_and_clearing_it(client, seeded):
    h = auth_header(login(client, "demo-participant")["token"])
    entry_id = client.post("/api/v1/entries", json={"unit": OTHER_UNIT}, headers=h).get_json()["id"]
    assert db.session.get(Entry, entry_id).unit_source == "named"
    res = client.patch(f"/api/v1/entries/{entry_id}", json={"unit": org_id(OWN_UNIT)}, headers=h)
    assert res.get_json()["unit_source"] == "role"


def test_the_dialogue_records_a_unit_named_freely(client, seeded):
    chat = Chat(client, "worker-without-roles")
    chat.say("申报")
    answers = dict(ANSWERS)
    for _ in range(len(ANSWERS) + 2):
        if chat.step == "unit":
            break
        chat.say(answers[chat.step])
    assert chat.step == "unit", chat.text()
    chat.say("蓝天新材料")
    entry = db.session.get(Entry, chat.last["entry_id"])
    db.session.refresh(entry)
    assert (entry.unit_id, entry.unit_source) == (org_id(OTHER_UNIT), "named")


def test_the_dialogue_prefills_the_users_own_unit_as_role(client, seeded):
    chat = Chat(client, "demo-participant")
    chat.say("申报")
    entry = db.session.get(Entry, chat.last["entry_id"])
    assert (entry.unit_id, entry.unit_source) == (org_id(OWN_UNIT), "role")
