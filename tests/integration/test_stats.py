"""Issue 18 items 2, 3, 7: 附件6 tables, the funnel and participation against targets for a
subtree, from a world whose every figure was computed by hand (below), through the API and the
.xlsx export (opened with openpyxl)."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from sqlalchemy import select

from server.extensions import db
from server.models import Organisation, UnitReport, User
from server.timeutil import china_today
from server.wechat.sandbox import openid_for_code

from ..factories import make_entry, make_org, make_promotion, make_report, make_season, make_user
from ..helpers import auth_header, login


def _month(back: int) -> str:
    day = china_today().replace(day=1)
    for _ in range(back):
        day = (day - timedelta(days=1)).replace(day=1)
    return day.strftime("%Y-%m")


@pytest.fixture()
def world(ctx):
    city = make_org("晋城市", "city")
    a, b = make_org("城区", "county", city), make_org("泽州县", "county", city)

    def unit(name, parent, unit_type, system, employees, model_key=False):
        org = make_org(name, "unit", parent, unit_type=unit_type, system=system, employee_count=employees)
        org.model_key = model_key
        return org

    so1 = unit("国企一", a, "state_owned", "union", 100, model_key=True)
    so2 = unit("国企二", a, "state_owned", "union", 200)
    np1 = unit("民企一", a, "non_public", "union", 50)
    unit("事业一", a, "public_institution", "union", 40)
    col = unit("职业学院", a, "college", "youth_league", 300)
    np2 = unit("民企二", b, "non_public", "union", 30)
    es1 = unit("西村e站", b, "estation", "science_association", 3)
    pi2 = unit("事业二", b, "public_institution", "union", 60, model_key=True)
    pi2_team = make_org("事业二检修班", "team", pi2)
    season = make_season()
    filer = make_user("填报人")
    plain = dict(patent__granted=False, in_production=False)
    make_entry(filer, status="submitted", season=season, unit=so1, benefit__amount=50, patent__granted=True,
               in_production=False)
    make_entry(filer, status="submitted", season=season, unit=so1, benefit__amount=10.5, **{**plain, "in_production": True})
    make_entry(filer, status="draft", season=season, unit=so1)
    make_entry(filer, status="withdrawn", season=season, unit=so1, benefit__amount=999, **plain)
    make_entry(filer, status="returned", season=season, unit=np1, benefit__amount=5, **plain)
    make_entry(filer, status="unit_recommended", season=season, unit=col, benefit__kind="social",
               benefit__description="服务周边村民三百余人，减少安全隐患。", patent__granted=True, in_production=True)
    make_entry(filer, status="submitted", season=season, unit=pi2_team, benefit__amount=2, **plain)
    make_entry(filer, status="submitted", season=make_season(), unit=np2, benefit__amount=7, **plain)  # other season
    admin = make_user("统计员", ("city_admin", city), openid=openid_for_code("stats-city"))
    make_report(so1, _month(1), by=admin, activities=3, participants=80)
    make_report(so2, _month(1), by=admin, activities=2, participants=20)
    make_report(so2, _month(0), by=admin, activities=1, participants=35)
    make_report(so2, _month(5), by=admin, activities=1, participants=150)     # before the season: not counted
    make_report(np2, _month(1), by=admin, activities=0, participants=0)       # no activity: not taking part
    make_report(es1, _month(1), by=admin, activities=1, participants=3)
    make_report(np1, _month(1), by=admin, activities=1, participants=40, filed=False)   # a draft: not counted
    make_user("县管理员", ("county_admin", a), openid=openid_for_code("stats-county-a"))
    db.session.commit()
    return {"city": city, "a": a, "b": b, "season": season}


def _get(client, code, path):
    return client.get(path, headers=auth_header(login(client, code)["token"]))


HAND = {   # table (一), computed by hand from the world above
    "enterprises": dict(units=4, units_taking_part=3, unit_rate=0.75, employees=380, people_taking_part=115,
                        people_rate=0.3026, model_key_units=1, model_key_taking_part=1),
    "state_owned": dict(units=2, units_taking_part=2, unit_rate=1.0, employees=300, people_taking_part=115,
                        people_rate=0.3833),
    "non_public": dict(units=2, units_taking_part=1, unit_rate=0.5, employees=80, people_taking_part=0),
    "public_institution": dict(units=2, units_taking_part=1, unit_rate=0.5, employees=100, people_taking_part=0,
                               people_rate=0.0, model_key_taking_part=1),
    "all_units": dict(units=6, units_taking_part=4, benefit_wan_yuan=67.5, entries=4, patented=1, applied=1),
}


def test_annex6_tables_match_the_hand_computed_figures(client, world):
    res = _get(client, "stats-city", f"/api/v1/stats/{world['city'].id}?season={world['season'].id}")
    assert res.status_code == 200, res.get_json()
    body = res.get_json()
    for group, expected in HAND.items():
        got = body["table1"][group]
        assert {k: got[k] for k in expected} == expected, group
    t2 = body["table2"]
    assert {k: t2["youth_league"][k] for k in ("units", "units_taking_part", "entries", "patented", "applied",
                                                "benefit_wan_yuan")} == dict(units=1, units_taking_part=1, entries=1,
                                                                             patented=1, applied=1, benefit_wan_yuan=0)
    assert (t2["science_association"]["people_taking_part"], t2["science_association"]["people_rate"]) == (3, 1.0)
    assert (t2["womens_federation"]["units"], t2["womens_federation"]["unit_rate"]) == (0, None)
    assert "月报" in body["definitions"]["people_taking_part"] and body["definitions"]["unit_taking_part"]


def test_funnel_and_participation_against_targets(client, world):
    body = _get(client, "stats-city", f"/api/v1/stats/{world['city'].id}?season={world['season'].id}").get_json()
    assert {s["stage"]: s["count"] for s in body["funnel"]} == {
        "draft": 6, "submitted": 5, "unit_recommended": 1, "county_recommended": 0, "accepted": 0, "scored": 0,
        "decided": 0, "withdrawn": 1}
    rows = {(r["area"], r["unit_type"]): (r["units"], r["taking_part"], r["rate"], r["gap"]) for r in body["participation"]}
    assert rows[("城区", "state_owned")] == (2, 2, 1.0, -0.1)
    assert rows[("城区", "public_institution")] == (1, 0, 0.0, 0.7)
    assert rows[("城区", "estation")] == (0, 0, None, None)
    assert rows[("泽州县", "non_public")] == (1, 0, 0.0, 0.6)
    assert rows[("泽州县", "estation")] == (1, 1, 1.0, 0.0)


def test_a_county_reads_its_own_subtree_only(client, world):
    own = _get(client, "stats-county-a", f"/api/v1/stats/{world['a'].id}?season={world['season'].id}")
    assert own.status_code == 200 and own.get_json()["table1"]["enterprises"]["units"] == 3
    for org in ("b", "city"):
        res = _get(client, "stats-county-a", f"/api/v1/stats/{world[org].id}?season={world['season'].id}")
        assert res.status_code == 403 and "范围" in res.get_json()["error"]["message"]


@pytest.mark.parametrize("query, status", [("?season=abc", 400), ("?season=999999", 404), ("?season=-1", 400),
                                           ("?season=99999999999999999999999", 400)])
def test_bad_queries_are_refused_in_chinese(client, world, query, status):
    res = _get(client, "stats-city", f"/api/v1/stats/{world['city'].id}{query}")
    assert res.status_code == status and res.get_json()["error"]["message"]


def test_annex6_xlsx_cells(client, world):
    res = _get(client, "stats-city", f"/api/v1/stats/{world['city'].id}/annex6.xlsx?season={world['season'].id}")
    assert res.status_code == 200 and res.mimetype.endswith("spreadsheetml.sheet")
    wb = load_workbook(io.BytesIO(res.data))
    ws = wb["统计表（一）"]
    assert "统计表（一）" in ws["A1"].value and "晋城市" in ws["A2"].value
    header = [c.value for c in ws[3]]
    assert header[:4] == ["序号", "地区/单位", "参与企业（家）", "企业参与率"]
    rows = {r[1]: r for r in ws.iter_rows(min_row=4, max_row=6, values_only=True)}
    assert set(rows) == {"城区", "泽州县", "合计"}
    col = {name: i for i, name in enumerate(header)}
    total = rows["合计"]
    assert total[col["参与企业（家）"]] == 3 and total[col["企业参与率"]] == 0.75
    assert total[col["创造经济效益（万元）"]] == 67.5 and total[col["征集成果（项）"]] == 4
    assert rows["城区"][col["其中国有企业（家）"]] == 2 and rows["泽州县"][col["参与事业单位（家）"]] == 1
    assert ws.cell(row=5, column=col["企业参与率"] + 1).number_format == "0.0%"
    ws2 = wb["统计表（二）"]
    rows2 = {r[1]: r for r in ws2.iter_rows(min_row=4, max_row=7, values_only=True)}
    assert rows2["共青团"][2] == 1 and rows2["科协"][3] == 3 and rows2["合计"][5] == 1


def _promotions(world) -> None:
    """Skill-grade promotions (hand-computed below): 国企一 has per-person records, which replace
    its monthly reports' figure; 国企二 has none, so its reports count (the season's months only);
    民企二's one record dated before the season and 国企一's unconfirmed one do not count."""
    org = {o.name: o for o in db.session.scalars(select(Organisation))}
    admin = db.session.scalar(select(User).where(User.name == "统计员"))
    month = {r.period: r for r in db.session.scalars(select(UnitReport).where(UnitReport.org_id == org["国企二"].id))}
    month[_month(1)].promotions, month[_month(0)].promotions, month[_month(5)].promotions = 1, 3, 9
    db.session.scalar(select(UnitReport).where(UnitReport.org_id == org["国企一"].id)).promotions = 2
    for n in range(3):
        make_promotion(org["国企一"], by=admin, name=f"工人{n}")
    make_promotion(org["国企一"], by=admin, name="待确认", confirmed=False)
    make_promotion(org["民企二"], by=admin, name="早年", promoted_on=china_today() - timedelta(days=200))
    make_promotion(org["民企二"], by=admin, name="今年", to_grade="grade2", from_grade="grade3")
    db.session.commit()


PROMOTIONS_HAND = {"城区": (7, 3, 4, 1), "泽州县": (1, 1, 0, 0), "合计": (8, 4, 4, 1)}


def test_promotions_by_area_in_the_api(client, world):
    _promotions(world)
    body = _get(client, "stats-city", f"/api/v1/stats/{world['city'].id}?season={world['season'].id}").get_json()
    got = {r["area"]: (r["promotions"], r["confirmed"], r["from_reports"], r["pending"]) for r in body["promotions"]}
    assert got == PROMOTIONS_HAND
    assert body["promotions"][-1]["area_id"] is None
    assert body["table1"]["all_units"]["skill_promotions"] == 8
    assert body["table1"]["state_owned"]["skill_promotions"] == 7
    county = _get(client, "stats-county-a", f"/api/v1/stats/{world['a'].id}?season={world['season'].id}").get_json()
    assert [(r["area"], r["promotions"]) for r in county["promotions"]] == [("城区", 7)]   # no total of one row


def test_promotions_sheet_in_the_xlsx(client, world):
    _promotions(world)
    res = _get(client, "stats-city", f"/api/v1/stats/{world['city'].id}/annex6.xlsx?season={world['season'].id}")
    wb = load_workbook(io.BytesIO(res.data))
    assert wb.sheetnames == ["统计表（一）", "统计表（二）", "技能等级晋升"]     # the official two first, unchanged
    ws = wb["技能等级晋升"]
    assert "优秀组织奖第8项" in ws["A1"].value
    header = [c.value for c in ws[3]]
    assert header[2] == "技能等级晋升（人）"
    rows = {r[1]: tuple(r[2:6]) for r in ws.iter_rows(min_row=4, max_row=6, values_only=True)}
    assert rows == PROMOTIONS_HAND
    assert any("逐人登记" in (r[0] or "") for r in ws.iter_rows(min_row=7, values_only=True))


def test_organisation_award_item_8_counts_what_the_statistics_count(world):
    from server.services.awards.items import computed
    _promotions(world)
    item = computed(world["city"], world["season"])[8]
    assert item["value"] == 8 and "逐人登记 4 人" in item["figure"] and "月报合计 4 人" in item["figure"]
    assert computed(world["a"], world["season"])[8]["value"] == 7
