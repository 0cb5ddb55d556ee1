"""Issue 18 items 6 and 7 (附件5): a unit files its 优胜单位 application; the county gives its
opinion, then the city, each recorded with who, when, the decision and the comment; the city's
yes is the award (the certificates hook is called). Bad input by kind: another's unit, out of
turn, city before county, twice, refusing without a reason. The 附件5 .xlsx read cell by cell."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from server.extensions import db
from server.models import AuditEvent, Certificate, Organisation, OutboxEvent, User, WinnerApplication
from server.services.notify import handle_event
from server.services.seasons import current_season
from server.timeutil import to_china
from server.wechat.sandbox import openid_for_code

from ..helpers import auth_header, login

FORM = {"legal_rep": "李卫东", "nature": "国有企业", "phone": "0356-2021234", "employees": 1200,
        "participants": 960, "summary": "全年开展“五小”活动 12 次，征集成果 86 项，创效 1200 万元。",
        "applicant_opinion": "同意申报。", "filled_by": "王海峰", "responsible": "李卫东"}


def org(name: str) -> Organisation:
    return db.session.scalar(select(Organisation).where(Organisation.name == name))


def user(code: str) -> User:
    return db.session.scalar(select(User).where(User.openid == openid_for_code(code)))


@pytest.fixture()
def tokens(client, seeded):
    return {k: login(client, f"demo-{c}")["token"] for k, c in
            (("unit", "unit-admin"), ("county", "county-admin"), ("zz", "county-admin-zezhou"),
             ("city", "city-admin"), ("participant", "participant"))}


def post(client, token, path, body):
    return client.post(f"/api/v1{path}", headers=auth_header(token), json=body)


def file_one(client, tokens, **over) -> dict:
    res = post(client, tokens["unit"], "/winner-applications",
               {"org_id": org("晋城示范煤机制造有限公司").id, **FORM, **over})
    assert res.status_code == 201, res.get_json()
    return res.get_json()


def test_filed_then_county_then_city_ends_in_the_award(client, tokens):
    app = file_one(client, tokens)
    assert app["status"] == "filed" and app["participation_rate"] == 0.8 and app["opinions"] == []
    res = post(client, tokens["county"], f"/winner-applications/{app['id']}/opinions",
               {"level": "county", "decision": "approve", "comment": "成效突出，同意推荐"})
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["status"] == "county_recommended"
    assert db.session.scalar(select(func.count()).select_from(OutboxEvent)) == 0     # no award yet
    res = post(client, tokens["city"], f"/winner-applications/{app['id']}/opinions",
               {"level": "city", "decision": "approve", "comment": ""})
    body = res.get_json()
    assert res.status_code == 200 and body["status"] == "awarded" and body["status_label"] == "已获奖"
    assert [(o["level"], o["decision"], o["by"], o["comment"]) for o in body["opinions"]] == [
        ("county", "approve", "赵丽萍", "成效突出，同意推荐"), ("city", "approve", "陈明", None)]
    assert all(o["at"].endswith("Z") for o in body["opinions"])
    event = db.session.scalar(select(OutboxEvent).where(OutboxEvent.kind == "award_decided"))
    assert event.payload == {"object_type": "winner_application", "id": app["id"]}
    handle_event(event.id)
    handle_event(event.id)      # a retried job asks again; the certificates side is idempotent
    certificates = db.session.scalars(select(Certificate)).all()
    assert [(c.season_id, c.holder_kind, c.holder_org_id, c.award, c.holder_user_id) for c in certificates] == [
        (current_season().id, "org", org("晋城示范煤机制造有限公司").id, "winning_unit", user("demo-unit-admin").id)]
    trail = db.session.execute(select(AuditEvent.action, AuditEvent.actor_id, AuditEvent.from_status,
                                      AuditEvent.to_status).where(AuditEvent.object_type == "winner_application")
                               .order_by(AuditEvent.id)).all()
    assert trail == [("winner_application_filed", user("demo-unit-admin").id, None, "filed"),
                     ("winner_application_county_recommended", user("demo-county-admin").id, "filed", "county_recommended"),
                     ("winner_application_awarded", user("demo-city-admin").id, "county_recommended", "awarded")]
    listed = client.get(f"/api/v1/winner-applications?org_id={org('晋城市').id}", headers=auth_header(tokens["city"]))
    assert [a["id"] for a in listed.get_json()["applications"]] == [app["id"]]
    other = client.get(f"/api/v1/winner-applications/{app['id']}", headers=auth_header(tokens["zz"]))
    assert other.status_code == 404


def test_a_refusal_is_final_and_needs_a_reason(client, tokens):
    app = file_one(client, tokens)
    path = f"/winner-applications/{app['id']}/opinions"
    res = post(client, tokens["county"], path, {"level": "county", "decision": "refuse", "comment": "参与率数据待核实"})
    assert res.get_json()["status"] == "county_refused"
    res = post(client, tokens["city"], path, {"level": "city", "decision": "approve"})
    assert res.status_code == 409 and "县级（产业）不同意" in res.get_json()["error"]["message"]


OPINIONS = [   # (steps before, who, body, status, field, words)
    ([], "city", {"level": "city", "decision": "approve"}, 409, None, "待县级"),                 # city before county
    ([], "zz", {"level": "county", "decision": "approve"}, 404, None, "没有找到"),               # another county
    ([], "unit", {"level": "county", "decision": "approve"}, 403, None, "县级（产业）意见由"),   # the applicant itself
    ([], "county", {"level": "city", "decision": "approve"}, 403, None, "市级"),                 # out of turn: not theirs
    ([], "county", {"level": "county", "decision": "refuse", "comment": "  "}, 400, "comment", "理由"),
    ([], "county", {"level": "county", "decision": "refuse"}, 400, "comment", "理由"),
    ([], "county", {"level": "province", "decision": "approve"}, 400, "level", "county"),
    ([], "county", {"level": "county", "decision": "ok"}, 400, "decision", "approve"),
    ([], "county", {"level": "county", "decision": "approve", "comment": "长" * 501}, 400, "comment", "500"),
    (["county"], "county", {"level": "county", "decision": "approve"}, 409, None, "不能给出县级"),   # twice
    (["county", "city"], "city", {"level": "city", "decision": "refuse", "comment": "改"}, 409, None, "已获奖"),
]


@pytest.mark.parametrize("before, who, body, status, field, words", OPINIONS)
def test_opinions_out_of_turn_or_wrong_are_refused(client, tokens, before, who, body, status, field, words):
    app = file_one(client, tokens)
    path = f"/winner-applications/{app['id']}/opinions"
    for level in before:
        assert post(client, tokens[level], path, {"level": level, "decision": "approve"}).status_code == 200
    state = db.session.get(WinnerApplication, app["id"])
    db.session.refresh(state)
    was = (state.status, state.county_decision, state.city_decision)
    res = post(client, tokens[who], path, body)
    assert res.status_code == status, res.get_json()
    err = res.get_json()["error"]
    assert words in err["message"], err["message"]
    if field:
        assert err["field"] == field
    db.session.refresh(state)
    assert (state.status, state.county_decision, state.city_decision) == was        # nothing half saved
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.object_type == "winner_application")) == 1 + len(before)


FILINGS = [   # (who, org name, changes, status, field, words)
    ("unit", "晋城蓝天新材料科技有限公司", {}, 403, None, "不是您管理的"),      # a unit one does not manage
    ("county", "晋城示范煤机制造有限公司", {}, 403, None, "不是您管理的"),       # a county is not the unit
    ("participant", "晋城示范煤机制造有限公司", {}, 403, None, "不是您管理的"),
    ("unit", "晋城示范煤机制造有限公司", {"legal_rep": ""}, 400, "legal_rep", "法人代表"),
    ("unit", "晋城示范煤机制造有限公司", {"summary": None}, 400, "summary", "开展情况简介"),
    ("unit", "晋城示范煤机制造有限公司", {"participants": 1300}, 400, "participants", "多于职工总数"),
    ("unit", "晋城示范煤机制造有限公司", {"employees": "一千"}, 400, "employees", "整数"),
    ("unit", "晋城示范煤机制造有限公司", {"employees": 0}, 400, "employees", "1 到"),
    ("unit", "晋城示范煤机制造有限公司", {"participants": -1}, 400, "participants", "0 到"),
    ("unit", "晋城示范煤机制造有限公司", {"phone": "打电话"}, 400, "phone", "联系电话"),
    ("unit", "晋城示范煤机制造有限公司", {"applicant_opinion": "长" * 501}, 400, "applicant_opinion", "500"),
    ("unit", "晋城示范煤机制造有限公司", {"unknown": 1}, 400, "unknown", None),
    ("unit", "不存在", {}, 404, None, "没有找到"),
]


@pytest.mark.parametrize("who, name, changes, status, field, words", FILINGS)
def test_bad_filings_are_refused_naming_the_field(client, tokens, who, name, changes, status, field, words):
    target = org(name)
    body = {"org_id": target.id if target else 99999, **FORM, **changes}
    res = post(client, tokens[who], "/winner-applications", {k: v for k, v in body.items() if v is not None})
    assert res.status_code == status, res.get_json()
    err = res.get_json()["error"]
    if field:
        assert err["field"] == field, err
    if words:
        said = [err["message"]] + [p["message"] for p in err.get("problems", [])]
        assert any(words in m for m in said), err
    assert db.session.scalar(select(func.count()).select_from(WinnerApplication)) == 0


SEVERAL = [   # (changes, each field named (in 附件5's order) with a word of its message), as reports answer
    ({"legal_rep": "", "phone": "打电话"}, {"legal_rep": "法人代表", "phone": "联系电话"}),
    ({"summary": None, "employees": "一千", "applicant_opinion": "长" * 501},
     {"employees": "整数", "summary": "开展情况简介", "applicant_opinion": "500"}),
    ({"nature": " ", "employees": 0, "participants": -1},
     {"nature": "单位性质", "employees": "1 到", "participants": "0 到"}),
    ({"participants": 1300, "filled_by": "王" * 51, "responsible": "李" * 51},
     {"participants": "多于职工总数", "filled_by": "50", "responsible": "50"}),
    ({k: None for k in ("legal_rep", "nature", "phone", "employees", "participants", "summary", "applicant_opinion")},
     {"legal_rep": "法人代表", "nature": "单位性质", "phone": "联系电话", "employees": "职工总数",
      "participants": "参与职工人数", "summary": "开展情况简介", "applicant_opinion": "申报单位意见"}),
]


@pytest.mark.parametrize("changes, named", SEVERAL)
def test_several_wrong_fields_are_all_named_and_nothing_is_stored(client, tokens, changes, named):
    body = {"org_id": org("晋城示范煤机制造有限公司").id, **FORM, **changes}
    res = post(client, tokens["unit"], "/winner-applications", {k: v for k, v in body.items() if v is not None})
    assert res.status_code == 400, res.get_json()
    err = res.get_json()["error"]
    assert err["code"] == "invalid_fields" and f"有 {len(named)} 项" in err["message"], err
    assert "没有保存" in err["message"] and err["field"] == next(iter(named))
    assert [p["field"] for p in err["problems"]] == list(named), err["problems"]
    for problem in err["problems"]:
        assert named[problem["field"]] in problem["message"], problem
    assert db.session.scalar(select(func.count()).select_from(WinnerApplication)) == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.object_type == "winner_application")) == 0


def test_a_second_application_is_refused(client, tokens):
    file_one(client, tokens)
    res = post(client, tokens["unit"], "/winner-applications", {"org_id": org("晋城示范煤机制造有限公司").id, **FORM})
    assert res.status_code == 409 and "不能重复申报" in res.get_json()["error"]["message"]
    assert db.session.scalar(select(func.count()).select_from(WinnerApplication)) == 1


def test_annex5_xlsx_cell_by_cell(client, tokens):
    app = file_one(client, tokens)
    post(client, tokens["county"], f"/winner-applications/{app['id']}/opinions",
         {"level": "county", "decision": "approve", "comment": "同意推荐"})
    res = client.get(f"/api/v1/winner-applications/{app['id']}/annex5.xlsx", headers=auth_header(tokens["county"]))
    assert res.status_code == 200 and res.mimetype.endswith("spreadsheetml.sheet")
    ws = load_workbook(io.BytesIO(res.data)).active
    county_at = to_china(db.session.get(WinnerApplication, app["id"]).county_at).strftime("%Y-%m-%d %H:%M")
    expected = {
        "A1": "附件5", "A2": "“五小”竞赛优胜单位申报表", "A3": "推荐单位（盖章）：城区",
        "A4": "单位名称", "B4": "晋城示范煤机制造有限公司", "C4": "法人代表", "D4": "李卫东",
        "A5": "单位性质", "B5": "国有企业", "C5": "联系电话", "D5": "0356-2021234",
        "A6": "职工总数", "B6": 1200, "C6": "职工参与率", "D6": 0.8,
        "A7": "“五小”竞赛开展情况简介", "B7": FORM["summary"],
        "A8": "申报单位意见", "B8": "同意申报。\n（盖章）　　年　　月　　日",
        "A9": "县级（产业）意见", "B9": f"同意。同意推荐（赵丽萍，{county_at}）\n（盖章）　　年　　月　　日",
        "A10": "市级意见", "B10": "（盖章）　　年　　月　　日",
        "A12": "填报人：王海峰", "C12": "负责人：李卫东",
    }
    for ref, value in expected.items():
        assert ws[ref].value == value, (ref, ws[ref].value)
    assert ws.title == "优胜单位申报表" and ws["D6"].number_format == "0.0%"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A2:D2", "A3:D3", "B7:D7", "B8:D8", "B9:D9", "B10:D10"} <= merged
    assert ws["A4"].font.bold and ws["B4"].border.left.style == "thin"
    other = client.get(f"/api/v1/winner-applications/{app['id']}/annex5.xlsx", headers=auth_header(tokens["zz"]))
    assert other.status_code == 404


def test_two_filings_at_once_give_409_not_500(client, tokens, monkeypatch):
    """The second of two simultaneous filings passes the look-up before the first commits: the
    unique constraint refuses it, and the filer hears 409 (simulated by hiding the first)."""
    from server.services.awards import winners
    file_one(client, tokens)
    real = winners._existing
    calls = []
    monkeypatch.setattr(winners, "_existing", lambda *a: (calls.append(1), None if len(calls) == 1 else real(*a))[1])
    res = post(client, tokens["unit"], "/winner-applications", {"org_id": org("晋城示范煤机制造有限公司").id, **FORM})
    assert res.status_code == 409 and "已获奖" not in res.get_json()["error"]["message"]
    assert "不能重复申报" in res.get_json()["error"]["message"]
    assert db.session.scalar(select(func.count()).select_from(WinnerApplication)) == 1


def test_annex5_docx_to_print_and_stamp(client, tokens):
    from docx import Document
    app = file_one(client, tokens)
    res = client.get(f"/api/v1/winner-applications/{app['id']}/annex5.docx", headers=auth_header(tokens["unit"]))
    assert res.status_code == 200 and res.mimetype.endswith("wordprocessingml.document")
    doc = Document(io.BytesIO(res.data))
    assert [p.text for p in doc.paragraphs[:3]] == ["附件5", "“五小”竞赛优胜单位申报表", "推荐单位（盖章）：城区"]
    rows = [[c.text for c in row.cells] for row in doc.tables[0].rows]
    assert rows[0] == ["单位名称", "晋城示范煤机制造有限公司", "法人代表", "李卫东"]
    assert rows[1] == ["单位性质", "国有企业", "联系电话", "0356-2021234"]
    assert rows[2] == ["职工总数", "1200", "职工参与率", "80.0%"]
    assert rows[3] == ["“五小”竞赛开展情况简介"] + [FORM["summary"]] * 3          # merged across
    assert rows[4][:2] == ["申报单位意见", "同意申报。\n（盖章）　　年　　月　　日"]
    assert rows[5][:2] == ["县级（产业）意见", "（盖章）　　年　　月　　日"] and rows[6][0] == "市级意见"
    assert doc.paragraphs[-1].text.startswith("填报人：王海峰") and doc.paragraphs[-1].text.endswith("负责人：李卫东")
