"""Form mode: the same validators as the chat, attachments with type and size checks."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from server.extensions import db
from server.models import Entry
from server.timeutil import utcnow

from ..helpers import auth_header, login
from .chat import START


def jpeg(size=(300, 400)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, "red").save(buf, format="JPEG")
    return buf.getvalue()


def test_create_patch_and_read(client, seeded):
    h = auth_header(login(client, "demo-participant")["token"])
    res = client.post("/api/v1/entries", json={"title": "皮带输送机自动纠偏装置", "category": "设备"}, headers=h)
    assert res.status_code == 201, res.get_json()
    entry = res.get_json()
    assert entry["category"] == "equipment" and entry["status"] == "draft" and entry["status_label"] == "草稿"
    assert "summary" in entry["missing"] and "title" not in entry["missing"]

    res = client.patch(f"/api/v1/entries/{entry['id']}", headers=h, json={
        "started_on": f"{START[0]}.{START[1]}", "benefit": {"kind": "economic", "amount": "五十万元"},
        "patent": {"granted": "否"}, "leader": {"name": "张建国", "phone": "+86 139 1234 5678"}})
    assert res.status_code == 200, res.get_json()
    body = res.get_json()
    assert body["started_on"] == f"{START[0]}-{START[1]:02d}" and body["benefit"]["amount"] == 50.0
    assert body["patent"]["granted"] is False and body["leader"]["phone"] == "13912345678"
    assert client.get(f"/api/v1/entries/{entry['id']}", headers=h).get_json() == body


def test_a_field_rejected_in_chat_is_rejected_in_the_form(client, seeded):
    h = auth_header(login(client, "demo-participant")["token"])
    entry_id = client.post("/api/v1/entries", json={}, headers=h).get_json()["id"]
    res = client.patch(f"/api/v1/entries/{entry_id}", headers=h, json={
        "title": "纠偏装置改进", "started_on": "2015年5月", "patent.granted": True,
        "patent.number": "ZL 2020 2 1234567.8",
        "summary": "效果很好，大家都满意，领导也给予了高度评价，值得在全市推广应用，工友们都说方便。", "leader.phone": "12345"})
    assert res.status_code == 400
    err = res.get_json()["error"]
    problems = {p["field"]: p["message"] for p in err["problems"]}
    assert set(problems) == {"started_on", "patent.number", "summary", "leader.phone"}
    assert "不在范围内" in problems["started_on"] and "校验位" in problems["patent.number"]
    assert "数据" in problems["summary"] and "11 位" in problems["leader.phone"]
    # what was valid is kept
    assert db.session.get(Entry, entry_id).title == "纠偏装置改进"


def test_unknown_and_required_fields(client, seeded):
    h = auth_header(login(client, "demo-participant")["token"])
    entry_id = client.post("/api/v1/entries", json={}, headers=h).get_json()["id"]
    res = client.patch(f"/api/v1/entries/{entry_id}", headers=h, json={"colour": "red", "title": ""})
    problems = {p["field"]: p["message"] for p in res.get_json()["error"]["problems"]}
    assert set(problems) == {"colour", "title"} and "必须填写" in problems["title"]


def test_submit_lists_what_is_missing(client, seeded):
    h = auth_header(login(client, "demo-participant")["token"])
    entry_id = client.post("/api/v1/entries", json={"title": "纠偏装置改进"}, headers=h).get_json()["id"]
    res = client.post(f"/api/v1/entries/{entry_id}/submit", headers=h)
    assert res.status_code == 422
    fields = [p["field"] for p in res.get_json()["error"]["problems"]]
    assert "category" in fields and "leader.name" in fields and "title" not in fields


def test_entries_are_private(client, seeded):
    owner = auth_header(login(client, "demo-participant")["token"])
    entry_id = client.post("/api/v1/entries", json={"title": "纠偏装置改进"}, headers=owner).get_json()["id"]
    stranger = auth_header(login(client, "someone-else")["token"])
    assert client.get(f"/api/v1/entries/{entry_id}", headers=stranger).status_code == 404
    assert client.patch(f"/api/v1/entries/{entry_id}", json={"title": "x" * 5}, headers=stranger).status_code == 404
    other_county = auth_header(login(client, "demo-county-admin-zezhou")["token"])
    assert client.get(f"/api/v1/entries/{entry_id}", headers=other_county).status_code == 404


@pytest.mark.parametrize("office", ["demo-unit-admin", "demo-county-admin", "demo-city-admin"])
def test_offices_read_an_entry_once_submitted_never_the_draft(client, seeded, office):
    """A draft, phone numbers included, is its author's until submitted (issue 13, item 15)."""
    owner = auth_header(login(client, "demo-participant")["token"])
    entry_id = client.post("/api/v1/entries", json={"title": "纠偏装置改进", "leader.phone": "13912345678"},
                           headers=owner).get_json()["id"]
    admin = auth_header(login(client, office)["token"])
    for res in (client.get(f"/api/v1/entries/{entry_id}", headers=admin),
                client.patch(f"/api/v1/entries/{entry_id}", json={"title": "改名改名"}, headers=admin)):
        assert res.status_code == 404 and "13912345678" not in res.get_data(as_text=True)
    entry = db.session.get(Entry, entry_id)
    entry.status, entry.submitted_at = "submitted", utcnow()      # as submitting leaves it
    db.session.commit()
    res = client.get(f"/api/v1/entries/{entry_id}", headers=admin)
    assert res.status_code == 200 and res.get_json()["leader"]["phone"] == "13912345678"
    assert client.patch(f"/api/v1/entries/{entry_id}", json={"title": "改名改名"}, headers=admin).status_code == 403


def test_attachments_checked_by_content(client, seeded):
    h = auth_header(login(client, "demo-participant")["token"])
    entry_id = client.post("/api/v1/entries", json={}, headers=h).get_json()["id"]
    url = f"/api/v1/entries/{entry_id}/attachments"

    def up(content, kind="image", name="a.jpg"):
        return client.post(url, data={"file": (io.BytesIO(content), name), "kind": kind}, headers=h,
                           content_type="multipart/form-data")

    res = up(jpeg((300, 400)), kind="photo")
    assert res.status_code == 201 and res.get_json()["hint"] is None
    res = up(jpeg((400, 300)), kind="photo")
    assert res.status_code == 201 and "竖版" in res.get_json()["hint"]
    assert up(b"%PDF-1.4 fake", kind="certificate", name="c.pdf").status_code == 201
    assert up(b"%PDF-1.4 fake", kind="photo", name="c.pdf").get_json()["error"]["code"] == "bad_file_type"
    assert up(b"MZ\x90\x00 not an image", name="virus.jpg").get_json()["error"]["code"] == "bad_file_type"
    assert up(jpeg((50, 50))).get_json()["error"]["code"] == "image_too_small"
    assert up(b"").get_json()["error"]["code"] == "file_empty"
    assert up(jpeg(), kind="selfie").get_json()["error"]["field"] == "kind"
    assert up(b"x" * (11 * 1024 * 1024)).get_json()["error"]["code"] == "file_too_large"
    res = client.post(url, data={"other": "x"}, headers=h, content_type="multipart/form-data")
    assert res.status_code == 400 and res.get_json()["error"]["code"] == "file_missing"
    entry = client.get(f"/api/v1/entries/{entry_id}", headers=h).get_json()
    assert entry["leader"]["photo"] is not None and [a["kind"] for a in entry["attachments"]] == ["certificate"]


def test_unit_by_id_in_form_and_by_name_or_list_in_chat(client, seeded):
    from sqlalchemy import select

    from server.models import Organisation
    h = auth_header(login(client, "worker-without-roles")["token"])
    station = db.session.scalar(select(Organisation).where(Organisation.name == "寺庄镇乡村e站"))
    county = db.session.scalar(select(Organisation).where(Organisation.name == "高平市"))
    entry_id = client.post("/api/v1/entries", json={"unit": station.id}, headers=h).get_json()["id"]
    assert db.session.get(Entry, entry_id).unit_id == station.id
    res = client.patch(f"/api/v1/entries/{entry_id}", json={"unit": county.id}, headers=h)   # not a unit
    assert res.status_code == 400 and res.get_json()["error"]["problems"][0]["field"] == "unit"
    res = client.patch(f"/api/v1/entries/{entry_id}", json={"unit": "蓝天新材料"}, headers=h)
    assert res.get_json()["unit"]["name"] == "晋城蓝天新材料科技有限公司"
    res = client.patch(f"/api/v1/entries/{entry_id}", json={"unit": "7"}, headers=h)   # "7" is no list item here
    assert res.status_code == 400
    res = client.patch(f"/api/v1/entries/{entry_id}", json={"unit": "e站"}, headers=h)
    assert "1. 寺庄镇乡村e站（高平市）" in res.get_json()["error"]["problems"][0]["message"]
