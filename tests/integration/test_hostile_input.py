"""Input that used to reach a 500 or be stored wrong (issue 13, items 5–7): deep nesting, NaN,
ids past 64 bits in paths and bodies, tokens whose payload is not a session id, wrong JSON
types, and concurrent edits of one draft."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select, text

from server.extensions import db
from server.models import Entry
from server.services import entries as entry_service

from ..helpers import auth_header, login

HUGE = 10 ** 30


def _error(res, status):
    assert res.status_code == status, (res.status_code, res.get_data(as_text=True)[:300])
    err = res.get_json()["error"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err["message"]), err
    return err


@pytest.fixture()
def h(client, seeded):
    return auth_header(login(client, "demo-participant")["token"])


@pytest.fixture()
def city(client, seeded):
    return auth_header(login(client, "demo-city-admin")["token"])


@pytest.fixture()
def draft(client, h):
    res = client.post("/api/v1/entries", json={"title": "皮带输送机自动纠偏装置"}, headers=h)
    assert res.status_code == 201
    return res.get_json()["id"]


# -- 6. bodies ------------------------------------------------------------------------------
@pytest.mark.parametrize("body", [
    b"[" * 100_000,                                   # nesting deeper than the parser's stack
    b'{"code": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
    b'{"code": NaN}', b'{"code": Infinity}', b'{"code": -Infinity}', b'{"code": 1e400}',
    b'{"code": 100000000000000000000000000000}',
])
def test_login_bodies_that_used_to_500(client, ctx, body):
    err = _error(client.post("/api/v1/auth/login", data=body, content_type="application/json"), 400)
    assert err["code"] == "invalid_json"


@pytest.mark.parametrize("body", [
    b'{"benefit": {"amount": NaN}}', b'{"benefit.amount": Infinity}', b'{"benefit.amount": 1e999}',
    b'{"unit": ' + str(HUGE).encode() + b'}', b'{"unit": -' + str(HUGE).encode() + b'}',
])
def test_patch_numbers_nothing_can_store_are_refused(client, h, draft, body):
    err = _error(client.patch(f"/api/v1/entries/{draft}", data=body, content_type="application/json",
                              headers=h), 400)
    assert err["code"] == "invalid_json" and "超出范围" in err["message"]


@pytest.mark.parametrize("unit", [2 ** 31, 2 ** 63 - 1, -1, 0])
def test_unit_ids_out_of_the_columns_range_are_unknown_units(client, h, draft, unit):
    err = _error(client.patch(f"/api/v1/entries/{draft}", json={"unit": unit}, headers=h), 400)
    assert err["field"] == "unit"


# -- 6. paths -------------------------------------------------------------------------------
PATHS = [("GET", "/api/v1/entries/{}"), ("PATCH", "/api/v1/entries/{}"), ("POST", "/api/v1/entries/{}/submit"),
         ("POST", "/api/v1/entries/{}/attachments"), ("GET", "/api/v1/orgs/{}"),
         ("GET", "/api/v1/admin/seasons/{}/reminders"), ("POST", "/api/v1/admin/seasons/{}/reminders/pause"),
         ("POST", "/api/v1/admin/seasons/{}/reminders/resume")]


@pytest.mark.parametrize("number", [2 ** 31, 2 ** 63 - 1, 2 ** 63, 2 ** 64, HUGE])
@pytest.mark.parametrize("method,path", PATHS)
def test_ids_past_the_columns_in_any_path_are_404(client, city, method, path, number):
    if path.endswith("attachments"):
        res = client.post(path.format(number), data={"kind": "image", "file": (io.BytesIO(b"x"), "a.jpg")},
                          headers=city, content_type="multipart/form-data")
    else:
        res = client.open(path.format(number), method=method, json={}, headers=city)
    _error(res, 404)


# -- 6. tokens --------------------------------------------------------------------------------
@pytest.mark.parametrize("payload", [["a", "b"], 12, {"sid": "x"}, None, "x" * 500])
def test_a_token_signed_with_our_key_but_no_session_id_is_401(client, ctx, payload):
    from server.services.auth import _serializer
    token = _serializer().dumps(payload)
    err = _error(client.get("/api/v1/me", headers=auth_header(token)), 401)
    assert err["code"] == "token_invalid"
    _error(client.post("/api/v1/auth/logout", headers=auth_header(token)), 401)


# -- 7. wrong JSON types ----------------------------------------------------------------------
@pytest.mark.parametrize("field,value", [
    ("title", ["abcd", "efgh"]), ("title", True), ("title", {"a": 1}), ("title", 12345),
    ("summary", ["成果简介"]), ("industry", False), ("started_on", [2020, 5]), ("started_on", True),
    ("leader.name", ["张", "三"]), ("leader.phone", True), ("benefit.amount", ["50万"]),
    ("benefit.amount", True), ("patent.granted", ["是"]), ("patent.granted", 1), ("unit", True),
    ("unit", [1]), ("category", {"code": "equipment"}),
])
def test_wrong_json_types_are_refused_with_the_field_named(client, h, draft, field, value):
    err = _error(client.patch(f"/api/v1/entries/{draft}", json={field: value}, headers=h), 400)
    assert err["field"] == field
    assert "不能是列表" in err["problems"][0]["message"]
    stored = client.get(f"/api/v1/entries/{draft}", headers=h).get_json()
    assert stored["title"] == "皮带输送机自动纠偏装置"             # nothing stored as Python text
    assert not [v for v in _strings(stored) if v.startswith(("[", "{")) or v in ("True", "False", "12345")]


def _strings(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, str):
        yield value


@pytest.mark.parametrize("field,value,shown", [
    ("benefit.amount", 12.5, 12.5), ("patent.granted", True, True), ("category", 2, "equipment"),
    ("leader.phone", 13912345678, "13912345678"),
])
def test_the_right_json_types_are_still_accepted(client, h, draft, field, value, shown):
    extra = {"benefit.kind": "economic"} if field == "benefit.amount" else {}
    res = client.patch(f"/api/v1/entries/{draft}", json={**extra, field: value}, headers=h)
    assert res.status_code == 200, res.get_json()
    body = res.get_json()
    top, _, sub = field.partition(".")
    assert (body[top][sub] if sub else body[top]) == shown


# -- 5. concurrent edits ----------------------------------------------------------------------
@pytest.mark.parametrize("races,status", [(1, 200), (entry_service.WRITE_ATTEMPTS - 1, 200), (1000, 409)])
def test_a_patch_racing_other_writes_is_retried_or_told_the_truth(client, h, draft, monkeypatch, races, status):
    real = entry_service.get_editable
    raced = []

    def load_then_someone_else_writes(user, entry_id):
        entry = real(user, entry_id)
        if len(raced) < races:              # another PATCH or a chat turn commits meanwhile
            raced.append(1)
            with db.engine.connect() as other:
                other.execute(text("UPDATE entries SET version = version + 1, summary = :s WHERE id = :id"),
                              {"s": f"另一处写入{len(raced)}", "id": entry_id})
                other.commit()
        return entry
    monkeypatch.setattr(entry_service, "get_editable", load_then_someone_else_writes)
    res = client.patch(f"/api/v1/entries/{draft}", json={"title": "新的名称"}, headers=h)
    db.session.expire_all()
    entry = db.session.scalar(select(Entry).where(Entry.id == draft))
    assert entry.summary == f"另一处写入{len(raced)}"     # the other writes are kept either way
    if status == 200:
        assert res.status_code == 200 and entry.title == "新的名称"
    else:
        err = _error(res, 409)
        assert err["code"] == "edit_conflict" and "没有保存" in err["message"] and "没有丢失" not in err["message"]
        assert entry.title == "皮带输送机自动纠偏装置"


# -- 6. ids in bodies that the schema lets through but the INTEGER columns cannot hold ----------
@pytest.mark.parametrize("method,path,body", [
    ("POST", "/api/v1/reports", {"org_id": 2 ** 31, "period": "2026-01"}),
    ("POST", "/api/v1/reports", {"org_id": 2 ** 62, "period": "2026-01"}),
    ("GET", "/api/v1/reports?org_id=4611686018427387903", None),
    ("GET", "/api/v1/reports/missing?org_id=4611686018427387903", None),
])
def test_body_ids_past_the_columns_are_refused_not_500(client, city, method, path, body):
    res = client.open(path, method=method, json=body, headers=city)
    assert 400 <= res.status_code < 500, (res.status_code, res.get_data(as_text=True)[:300])
    assert any("\u4e00" <= ch <= "\u9fff" for ch in res.get_json()["error"]["message"])
