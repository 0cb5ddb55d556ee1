"""Issue 18 item 5: the 优秀组织奖 sheet (RULES.md: 10 items, 100 points). A county's items 5–8
are computed from a world whose figures were worked out by hand; items 1–4, 9, 10 take the
county's evidence and the city office's score; the city decides with a reason; every act is
audited; bad input is refused naming the field, nothing half saved."""
from __future__ import annotations

import io
from decimal import Decimal

import pytest
from PIL import Image
from sqlalchemy import func, select

from server.extensions import db
from server.models import AuditEvent, Certificate, OrgAwardEvidence, OrgAwardSheet, Organisation, OutboxEvent, User
from server.services import stats
from server.services.notify import handle_event
from server.services.seasons import current_season
from server.wechat.sandbox import openid_for_code

from ..factories import make_entry, make_report
from ..helpers import auth_header, login

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def org(name: str) -> Organisation:
    return db.session.scalar(select(Organisation).where(Organisation.name == name))


def user(code: str) -> User:
    return db.session.scalar(select(User).where(User.openid == openid_for_code(code)))


@pytest.fixture()
def world(client, seeded):
    """城区: 4 units, 1200 + 180 + 95 + 640 = 2115 employees.
    煤机: an accepted and a decided entry, a report (300 people, 4 promotions);
    蓝天: a submitted entry, no report; 供排水: a report with activity (50 people, 3 promotions);
    学院: nothing. A report outside the season's months (100 promotions) does not count."""
    season = current_season()
    admin = user("demo-unit-admin")
    first, _ = stats.season_months(season)
    y, m = map(int, first.split("-"))
    before = f"{y - 1}-12" if m == 1 else f"{y}-{m - 1:02d}"
    coal, sky, water = org("晋城示范煤机制造有限公司"), org("晋城蓝天新材料科技有限公司"), org("城区供排水服务中心")
    make_entry(admin, status="accepted", season=season, unit=coal)
    make_entry(admin, status="decided", season=season, unit=coal)
    make_entry(admin, status="submitted", season=season, unit=sky)
    make_report(coal, first, by=admin, participants=300, promotions=4)
    make_report(water, first, by=admin, activities=2, participants=50, promotions=3)
    make_report(water, before, by=admin, participants=60, promotions=100)
    db.session.commit()
    tokens = {k: login(client, f"demo-{c}")["token"] for k, c in
              (("unit", "unit-admin"), ("county", "county-admin"), ("zz", "county-admin-zezhou"), ("city", "city-admin"))}
    return season, tokens, org("城区")


def call(client, token, method, path, **kw):
    return getattr(client, method)(f"/api/v1{path}", headers=auth_header(token), **kw)


def test_the_computed_items_show_their_figures_and_rules(client, world):
    season, tokens, county = world
    res = call(client, tokens["county"], "get", f"/org-awards/{county.id}?season={season.id}")
    assert res.status_code == 200, res.get_json()
    body = res.get_json()
    items = {i["no"]: i for i in body["items"]}
    assert [i["max"] for i in body["items"]] == [5, 10, 10, 10, 15, 15, 15, 10, 5, 5] and body["max"] == 100
    assert [i["source"] for i in body["items"]].count("computed") == 4
    # 5: 3 of 4 units take part = 75.0%; full at 90%: 15 × 75 / 90 = 12.5
    assert Decimal(items[5]["score"]) == Decimal("12.5")
    assert "3 家" in items[5]["figure"] and "4 家" in items[5]["figure"] and "75.0%" in items[5]["figure"]
    assert "90.0%" in items[5]["rule"] and "12.5 分" in items[5]["rule"]
    # 6: (300 + 0 + 50) / 2115 = 16.548…%; 15 × 0.16548 / 0.9 = 2.758 → 2.8
    assert Decimal(items[6]["score"]) == Decimal("2.8") and "350 人" in items[6]["figure"] and "2115 人" in items[6]["figure"]
    # 7: two entries the city accepted (accepted, decided), 3 points each = 6
    assert Decimal(items[7]["score"]) == Decimal("6.0") and "2 项" in items[7]["figure"]
    # 8: 4 + 3 promotions in the season's months (the 100 before it are not counted), 1 point each
    assert Decimal(items[8]["score"]) == Decimal("7.0") and "7 人" in items[8]["figure"]
    assert Decimal(body["computed_total"]) == Decimal("28.3") and Decimal(body["total"]) == Decimal("28.3")
    assert body["status"] == "open" and body["unscored"] == [1, 2, 3, 4, 9, 10]
    # item 1 shows what the registry says about the four-party body (the city still scores it)
    assert "未填写是否有四方协调机构" in items[1]["figure"] and items[1]["score"] is None
    county.four_party = True
    db.session.commit()
    again = call(client, tokens["county"], "get", f"/org-awards/{county.id}?season={season.id}").get_json()
    assert "登记：有四方协调机构" in again["items"][0]["figure"]


def test_the_season_setting_changes_the_rule(client, world):
    season, tokens, county = world
    season.settings = {**(season.settings or {}), "org_award": {"unit_rate_full_at": 0.75, "points_per_excellent": 10}}
    db.session.commit()
    items = {i["no"]: i for i in call(client, tokens["city"], "get", f"/org-awards/{county.id}?season={season.id}")
             .get_json()["items"]}
    assert Decimal(items[5]["score"]) == 15 and Decimal(items[7]["score"]) == 15    # capped at the maximum


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (200, 150), "white").save(out, "PNG")
    return out.getvalue()


def test_evidence_scores_and_the_decision_in_turn(client, world, monkeypatch):
    season, tokens, county = world
    base = f"/org-awards/{county.id}"
    up = call(client, tokens["county"], "post", f"{base}/items/1/evidence",
              data={"file": (io.BytesIO(PDF), "四方机构文件.pdf"), "note": "四方联席会议制度", "season_id": str(season.id)})
    assert up.status_code == 201, up.get_json()
    up = call(client, tokens["county"], "post", f"{base}/items/2/evidence",
              data={"file": (io.BytesIO(_png()), "方案.png")})
    assert up.status_code == 201
    items = {i["no"]: i for i in up.get_json()["items"]}
    assert items[1]["note"] == "四方联席会议制度" and items[1]["evidence"][0]["filename"] == "四方机构文件.pdf"
    evidence_id = items[1]["evidence"][0]["id"]
    got = call(client, tokens["city"], "get", f"/org-awards/evidence/{evidence_id}")
    assert got.status_code == 200 and got.data == PDF
    assert call(client, tokens["zz"], "get", f"/org-awards/evidence/{evidence_id}").status_code == 404
    # the city cannot score before the county hands the sheet in
    early = call(client, tokens["city"], "post", f"{base}/items/1/score", json={"score": 5})
    assert early.status_code == 409 and "还没有报送" in early.get_json()["error"]["message"]
    assert call(client, tokens["county"], "post", f"{base}/submit", json={}).status_code == 200
    late = call(client, tokens["county"], "post", f"{base}/items/3/evidence", data={"note": "迟到的材料"})
    assert late.status_code == 409 and "已报送" in late.get_json()["error"]["message"]
    for no, points in ((1, 5), (2, "8.5"), (3, 6), (4, 0), (9, "4.5")):
        res = call(client, tokens["city"], "post", f"{base}/items/{no}/score", json={"score": points, "comment": "核实"})
        assert res.status_code == 200, res.get_json()
    early = call(client, tokens["city"], "post", f"{base}/decision", json={"decision": "award", "reason": "组织有力"})
    assert early.status_code == 409 and "第 10 项" in early.get_json()["error"]["message"]
    call(client, tokens["city"], "post", f"{base}/items/10/score", json={"score": 3})
    done = call(client, tokens["city"], "post", f"{base}/decision", json={"decision": "award", "reason": "组织有力"})
    assert done.status_code == 200, done.get_json()
    body = done.get_json()
    # evidence 5 + 8.5 + 6 + 0 + 4.5 + 3 = 27; computed 28.3
    assert Decimal(body["evidence_total"]) == 27 and Decimal(body["total"]) == Decimal("55.3")
    assert body["status"] == "awarded" and body["reason"] == "组织有力"
    sheet = db.session.scalar(select(OrgAwardSheet))
    assert sheet.total == Decimal("55.3")
    # the award's event, in the deciding transaction; its handler asks for the certificate,
    # naming who handed the sheet in as the person told
    event = db.session.scalar(select(OutboxEvent).where(OutboxEvent.kind == "award_decided"))
    assert event.payload == {"object_type": "org_award", "id": sheet.id}
    handle_event(event.id)
    handle_event(event.id)      # a retried job asks again; the certificates side is idempotent
    certificates = db.session.scalars(select(Certificate)).all()
    assert [(c.season_id, c.holder_kind, c.holder_org_id, c.award, c.holder_user_id) for c in certificates] == [
        (season.id, "org", county.id, "organisation", user("demo-county-admin").id)]
    # the figures are frozen: a new entry after the decision changes nothing on the sheet
    make_entry(user("demo-unit-admin"), status="accepted", season=season, unit=org("城区供排水服务中心"))
    db.session.commit()
    again = call(client, tokens["county"], "get", f"{base}?season={season.id}").get_json()
    assert Decimal(again["total"]) == Decimal("55.3") and "2 项" in again["items"][6]["figure"]
    twice = call(client, tokens["city"], "post", f"{base}/decision", json={"decision": "not_award", "reason": "改"})
    assert twice.status_code == 409 and "已获奖" in twice.get_json()["error"]["message"]
    actions = [a for (a,) in db.session.execute(select(AuditEvent.action).where(
        AuditEvent.object_type == "org_award").order_by(AuditEvent.id))]
    assert actions == ["org_award_evidence_added"] * 2 + ["org_award_submitted"] + ["org_award_item_scored"] * 6 + [
        "org_award_awarded", "org_award_total"]


BAD = [   # (who, method, path suffix, body kind, body, status, field, words)
    ("zz", "post", "/items/1/evidence", "form", {"note": "x"}, 403, None, "不能为这个组织填报"),
    ("unit", "post", "/items/1/evidence", "form", {"note": "x"}, 403, None, "不能为这个组织填报"),
    ("county", "post", "/items/5/evidence", "form", {"note": "x"}, 400, "item", "按数据计算"),
    ("county", "post", "/items/11/evidence", "form", {"note": "x"}, 400, "item", "1 到 10"),
    ("county", "post", "/items/1/evidence", "form", {"note": ""}, 400, "file", "至少一项"),
    ("county", "post", "/items/1/evidence", "form", {"note": "长" * 1001}, 400, "note", "1000"),
    ("county", "post", "/items/1/evidence", "file", b"not a pdf", 400, "file", None),
    ("county", "post", "/items/1/score", "json", {"score": 5}, 403, None, "市级"),
    ("city", "post", "/items/1/score", "json", {"score": 6}, 400, "score", "最高 5 分"),
    ("city", "post", "/items/1/score", "json", {"score": -1}, 400, "score", "0 到 5"),
    ("city", "post", "/items/2/score", "json", {"score": "8.25"}, 400, "score", "一位小数"),
    ("city", "post", "/items/2/score", "json", {"score": "很好"}, 400, "score", "数字"),
    ("city", "post", "/items/2/score", "json", {"score": ""}, 400, "score", "请填写分数"),
    # a huge number (Decimal.quantize raised InvalidOperation: a 500 before)
    ("city", "post", "/items/2/score", "json", {"score": 1e308}, 400, "score", "0 到 10"),
    ("city", "post", "/items/2/score", "json", {"score": "1E+30"}, 400, "score", "0 到 10"),
    ("city", "post", "/items/6/score", "json", {"score": 5}, 400, "item", "按数据计算"),
    ("city", "post", "/decision", "json", {"decision": "award", "reason": " "}, 400, "reason", "理由"),
    ("city", "post", "/decision", "json", {"decision": "maybe", "reason": "x"}, 400, "decision", "award"),
    ("county", "post", "/decision", "json", {"decision": "award", "reason": "x"}, 403, None, "市级"),
    ("city", "post", "/decision", "json", {"decision": "award", "reason": "x"}, 409, None, "还没有报送"),
]


@pytest.mark.parametrize("who, method, suffix, kind, body, status, field, words", BAD)
def test_bad_input_is_refused_naming_the_field(client, world, who, method, suffix, kind, body, status, field, words):
    season, tokens, county = world
    if suffix.endswith("/score") and who == "city" and status == 400:
        call(client, tokens["county"], "post", f"/org-awards/{county.id}/submit", json={})
    kw = {"json": body} if kind == "json" else {"data": body} if kind == "form" else {
        "data": {"file": (io.BytesIO(body), "x.pdf")}}
    res = call(client, tokens[who], method, f"/org-awards/{county.id}{suffix}", **kw)
    assert res.status_code == status, res.get_json()
    err = res.get_json()["error"]
    if field:
        assert err.get("field") == field, err
    if words:
        assert words in err["message"], err["message"]
    assert db.session.scalar(select(func.count()).select_from(OrgAwardEvidence)) == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action.in_(("org_award_evidence_added", "org_award_item_scored", "org_award_awarded")))) == 0


def test_scope_and_eligibility(client, world):
    season, tokens, county = world
    assert call(client, tokens["zz"], "get", f"/org-awards/{county.id}").status_code == 403
    city = org("晋城市")
    res = call(client, tokens["city"], "get", f"/org-awards/{city.id}")
    assert res.status_code == 400 and res.get_json()["error"]["field"] == "org_id"
    assert call(client, tokens["city"], "get", "/org-awards/999999").status_code == 404
    unit = call(client, tokens["unit"], "get", f"/org-awards/{org('晋城示范煤机制造有限公司').id}")
    assert unit.status_code == 200 and Decimal(unit.get_json()["items"][4]["score"]) == 15   # 1 of 1 unit
    rows = call(client, tokens["city"], "get", f"/org-awards?org_id={city.id}").get_json()["sheets"]
    assert [r["org_name"] for r in rows][:2] == ["城区", "泽州县"] and len(rows) == 8


def test_two_first_acts_at_once_share_one_sheet(client, world, monkeypatch):
    """Two uploads that both find no sheet yet: the second's insert meets the unique constraint
    inside its savepoint and uses the first's sheet (simulated by hiding the first once)."""
    from server.services.awards import org_sheet
    season, tokens, county = world
    base = f"/org-awards/{county.id}/items"
    assert call(client, tokens["county"], "post", f"{base}/1/evidence", data={"note": "甲"}).status_code == 201
    real = org_sheet._sheet
    calls = []
    monkeypatch.setattr(org_sheet, "_sheet", lambda *a: (calls.append(1), None if len(calls) == 1 else real(*a))[1])
    res = call(client, tokens["county"], "post", f"{base}/2/evidence", data={"note": "乙"})
    assert res.status_code == 201, res.get_json()
    items = {i["no"]: i["note"] for i in res.get_json()["items"]}
    assert items[1] == "甲" and items[2] == "乙"
    assert db.session.scalar(select(func.count()).select_from(OrgAwardSheet)) == 1
