"""Evidence of the 优秀组织奖 comes off again (issue 18 item 5 follow-up): the uploader takes back
their own file, the county admin any file of their subtree, until the city scores that item;
after that, or out of scope, the request is refused in Chinese and the file stays; each removal
is audited. Through the API (table-driven) and the console page."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from server.extensions import db
from server.models import AuditEvent, OrgAwardEvidence, Organisation
from server.services.seasons import current_season

from ..helpers import auth_header, login
from .console import csrf_of, desk_login

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CODES = {"unit": "demo-unit-admin", "county": "demo-county-admin", "zz": "demo-county-admin-zezhou",
         "city": "demo-city-admin"}


def _org(name: str) -> Organisation:
    return db.session.scalar(select(Organisation).where(Organisation.name == name))


def _call(client, token, method, path, **kw):
    return getattr(client, method)(f"/api/v1{path}", headers=auth_header(token), **kw)


def _upload(client, token, org_id: int, no: int = 1) -> int:
    res = _call(client, token, "post", f"/org-awards/{org_id}/items/{no}/evidence",
                data={"file": (io.BytesIO(PDF), f"材料{no}.pdf")})
    assert res.status_code == 201, res.get_json()
    item = next(i for i in res.get_json()["items"] if i["no"] == no)
    return item["evidence"][-1]["id"]


def _left() -> int:
    return db.session.scalar(select(func.count()).select_from(OrgAwardEvidence))


# (sheet of, uploaded by, stage before the removal, removed by, status, words in the message)
CASES = [
    ("unit", "unit", "open", "unit", 200, None),                   # one's own file
    ("unit", "county", "open", "unit", 403, "上传的人"),            # a county's file on the unit's sheet
    ("unit", "unit", "open", "county", 200, None),                 # the county admin, any file below
    ("county", "county", "open", "zz", 404, "没有找到"),            # another county: not even shown
    ("county", "county", "open", "city", 403, "上传的人"),          # the city scores, it does not remove
    ("county", "county", "submitted", "county", 200, None),        # handed in, the item not scored yet
    ("county", "county", "scored", "county", 409, "已经评分"),      # the city scored the item: too late
    ("unit", "unit", "scored", "unit", 409, "第1项"),
]


@pytest.mark.parametrize("sheet_of, uploader, stage, remover, status, words", CASES)
def test_who_may_remove_evidence_and_until_when(client, seeded, sheet_of, uploader, stage, remover, status, words):
    season = current_season()
    tokens = {k: login(client, code)["token"] for k, code in CODES.items()}
    org = _org("晋城示范煤机制造有限公司" if sheet_of == "unit" else "城区")
    evidence_id = _upload(client, tokens[uploader], org.id)
    if stage in ("submitted", "scored"):
        assert _call(client, tokens[sheet_of], "post", f"/org-awards/{org.id}/submit", json={}).status_code == 200
    if stage == "scored":
        scored = _call(client, tokens["city"], "post", f"/org-awards/{org.id}/items/1/score", json={"score": 4})
        assert scored.status_code == 200, scored.get_json()
    res = _call(client, tokens[remover], "post", f"/org-awards/evidence/{evidence_id}/remove")
    assert res.status_code == status, res.get_json()
    removed = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "org_award_evidence_removed"))
    if status == 200:
        item = next(i for i in res.get_json()["items"] if i["no"] == 1)
        assert item["evidence"] == [] and _left() == 0
        assert removed is not None and removed.data["filename"] == "材料1.pdf" and removed.data["item"] == 1
    else:
        assert words in res.get_json()["error"]["message"]
        assert _left() == 1 and removed is None
    shown = _call(client, tokens["city"], "get", f"/org-awards/{org.id}?season={season.id}").get_json()
    assert len(next(i for i in shown["items"] if i["no"] == 1)["evidence"]) == (0 if status == 200 else 1)


def test_unknown_evidence_is_not_found(client, seeded):
    token = login(client, "demo-county-admin")["token"]
    for evidence_id in (999999, 0):
        res = _call(client, token, "post", f"/org-awards/evidence/{evidence_id}/remove")
        assert res.status_code == 404 and "没有找到" in res.get_json()["error"]["message"]


def test_the_console_offers_removal_until_the_item_is_scored(app, seeded):
    county = _org("城区")
    cq, city = app.test_client(), app.test_client()
    token = desk_login(cq, "demo-county-admin")
    cq.post(f"/console/org-awards/{county.id}/items/1/evidence",
            data={"csrf_token": token, "file": (io.BytesIO(PDF), "机构.pdf")}, content_type="multipart/form-data")
    cq.post(f"/console/org-awards/{county.id}/items/2/evidence",
            data={"csrf_token": token, "file": (io.BytesIO(PDF), "方案.pdf")}, content_type="multipart/form-data")
    page = cq.get(f"/console/org-awards/{county.id}").text
    assert page.count('class="inline remove-evidence"') == 2 and "移除佐证材料“机构.pdf”" in page
    first = db.session.scalar(select(OrgAwardEvidence.id).order_by(OrgAwardEvidence.id))
    res = cq.post(f"/console/org-awards/{county.id}/evidence/{first}/remove", data={"csrf_token": csrf_of(page)})
    assert res.status_code == 302 and res.headers["Location"].endswith("#item-1")
    page = cq.get(f"/console/org-awards/{county.id}").text
    assert "机构.pdf" not in page and "方案.pdf" in page
    assert cq.post(f"/console/org-awards/{county.id}/submit", data={"csrf_token": csrf_of(page)}).status_code == 302
    ctoken = desk_login(city, "demo-city-admin")
    assert city.post(f"/console/org-awards/{county.id}/items/2/score",
                     data={"csrf_token": ctoken, "score": "8"}).status_code == 302
    page = cq.get(f"/console/org-awards/{county.id}").text
    assert 'class="inline remove-evidence"' not in page                 # item 2 is scored: no button
    second = db.session.scalar(select(OrgAwardEvidence.id))
    late = cq.post(f"/console/org-awards/{county.id}/evidence/{second}/remove", data={"csrf_token": csrf_of(page)})
    assert late.status_code == 409 and "已经评分" in late.text and 'id="item-2"' in late.text
    assert "方案.pdf" in late.text
    trail = city.get("/console/audit?action=org_award_evidence_removed").text
    assert "移除优秀组织奖佐证材料" in trail and "机构.pdf" in trail
