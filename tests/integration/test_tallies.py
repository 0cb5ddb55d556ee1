"""Issue 18 item 1 (the rest): skill-grade promotions recorded per person by the unit and
counted once its admin confirms them (replacing the monthly reports' count for that unit), and
denominators a county enters per unit type, used by 附件6's rates — each said in `definitions`.
Bad input names the field and stores nothing; other units and levels are refused."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from server.extensions import db
from server.models import AuditEvent, Denominator, SkillPromotion
from server.timeutil import china_today
from server.wechat.sandbox import openid_for_code

from ..factories import make_entry, make_org, make_report, make_season, make_user
from ..helpers import auth_header, login

TODAY = china_today()


@pytest.fixture
def world(ctx):
    season = make_season()
    city = make_org("晋城市", "city")
    cq = make_org("城区", "county", city)
    zz = make_org("泽州县", "county", city)
    a = make_org("城区甲民营机械厂", "unit", cq, unit_type="non_public", system="union", employee_count=100)
    b = make_org("城区乙民营商贸公司", "unit", cq, unit_type="non_public", system="union", employee_count=50)
    c = make_org("泽州丙民营铸造厂", "unit", zz, unit_type="non_public", system="union", employee_count=80)
    s = make_org("城区国有煤机厂", "unit", cq, unit_type="state_owned", system="union", employee_count=1000)
    users = {"unit_a": make_user("甲管理员", ("unit_admin", a)), "unit_c": make_user("丙管理员", ("unit_admin", c)),
             "county_cq": make_user("城区管理员", ("county_admin", cq)),
             "county_zz": make_user("泽州管理员", ("county_admin", zz)),
             "city": make_user("市管理员", ("city_admin", city)),
             "worker": make_user("甲职工", ("participant", a))}
    for key, user in users.items():
        user.openid = openid_for_code(f"tl-{key}")
    month = TODAY.strftime("%Y-%m")
    make_report(a, month, by=users["unit_a"], promotions=3)                   # the report says 3
    make_report(c, month, by=users["unit_c"], promotions=2)
    make_entry(users["worker"], status="submitted", season=season, unit=a)  # a takes part
    db.session.commit()
    return {"season": season, "orgs": {"city": city, "cq": cq, "zz": zz, "a": a, "b": b, "c": c, "s": s},
            "users": users}


def _h(client, key):
    return auth_header(login(client, f"tl-{key}")["token"])


def _stats(client, h, org, season):
    res = client.get(f"/api/v1/stats/{org.id}?season={season.id}", headers=h)
    assert res.status_code == 200, res.get_json()
    return res.get_json()


GOOD = {"person_name": "王小明", "from_grade": "中级工", "to_grade": "高级工", "promoted_on": TODAY.isoformat()}


def test_a_promotion_counts_once_confirmed_instead_of_the_reports_count(client, world):
    h, o, season = _h(client, "unit_a"), world["orgs"], world["season"]
    city = _h(client, "city")
    before = _stats(client, city, o["city"], season)["table1"]
    assert before["non_public"]["skill_promotions"] == 5                       # reports: 3 + 2
    res = client.post("/api/v1/promotions", json={"org_id": o["a"].id, **GOOD}, headers=h)
    assert res.status_code == 201, res.get_json()
    body = res.get_json()
    assert body["to_grade"] == "grade3" and body["from_grade_label"] == "中级工（四级）" and not body["confirmed"]
    assert _stats(client, city, o["city"], season)["table1"]["non_public"]["skill_promotions"] == 5   # not yet
    ok = client.post(f"/api/v1/promotions/{body['id']}/confirm", headers=h)
    assert ok.status_code == 200 and ok.get_json()["confirmed"]
    again = client.post(f"/api/v1/promotions/{body['id']}/confirm", headers=h)
    assert again.status_code == 409 and "已于" in again.get_json()["error"]["message"]
    after = _stats(client, city, o["city"], season)
    assert after["table1"]["non_public"]["skill_promotions"] == 1 + 2          # a: its one record; c: report
    assert "单位管理员确认" in after["definitions"]["skill_promotions"]
    listed = client.get(f"/api/v1/promotions?org_id={o['cq'].id}", headers=_h(client, "county_cq")).get_json()
    assert [p["person_name"] for p in listed["promotions"]] == ["王小明"]
    actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "skill_promotion")))
    assert actions == {"promotion_recorded", "promotion_confirmed"}


@pytest.mark.parametrize("change, field", [
    ({"person_name": ""}, "person_name"),
    ({"person_name": "王"}, "person_name"),
    ({"to_grade": "博士"}, "to_grade"),
    ({"to_grade": None}, "to_grade"),
    ({"from_grade": "技师", "to_grade": "中级工"}, "to_grade"),           # not a promotion
    ({"from_grade": "高级工", "to_grade": "高级工"}, "to_grade"),
    ({"from_grade": "半级"}, "from_grade"),
    ({"promoted_on": (TODAY + timedelta(days=1)).isoformat()}, "promoted_on"),
    ({"promoted_on": "昨天吧"}, "promoted_on"),
    ({"entry_id": 999999}, "entry_id"),
])
def test_a_wrong_promotion_field_is_named_and_nothing_is_stored(client, world, change, field):
    res = client.post("/api/v1/promotions", json={"org_id": world["orgs"]["a"].id, **GOOD, **change},
                      headers=_h(client, "unit_a"))
    assert res.status_code == 400, res.get_json()
    problems = res.get_json()["error"]["problems"]
    assert [p["field"] for p in problems] == [field] and all(p["message"] for p in problems)
    assert db.session.scalar(select(func.count()).select_from(SkillPromotion)) == 0


@pytest.mark.parametrize("who, org, status", [
    ("unit_c", "a", 403), ("county_cq", "a", 403), ("city", "a", 403), ("unit_a", "cq", 403)])
def test_promotions_only_by_the_units_own_admin(client, world, who, org, status):
    res = client.post("/api/v1/promotions", json={"org_id": world["orgs"][org].id, **GOOD}, headers=_h(client, who))
    assert res.status_code == status and res.get_json()["error"]["message"]


def test_another_units_admin_cannot_confirm(client, world):
    row = client.post("/api/v1/promotions", json={"org_id": world["orgs"]["a"].id, **GOOD},
                      headers=_h(client, "unit_a")).get_json()
    assert client.post(f"/api/v1/promotions/{row['id']}/confirm", headers=_h(client, "unit_c")).status_code == 404
    assert client.post(f"/api/v1/promotions/{row['id']}/confirm", headers=_h(client, "county_cq")).status_code == 403
    assert client.post("/api/v1/promotions/99999/confirm", headers=_h(client, "unit_a")).status_code == 404


DEN = {"unit_type": "非公有制企业", "units": 10, "employees": 500, "source": "2026年城区统计年鉴",
       "as_of": (TODAY - timedelta(days=30)).isoformat()}


def test_a_countys_denominator_is_used_by_the_rates_and_said(client, world):
    o, season, city = world["orgs"], world["season"], _h(client, "city")
    before = _stats(client, city, o["city"], season)["table1"]["non_public"]
    assert (before["units"], before["units_taking_part"], before["employees"]) == (3, 2, 230)   # a (entry), c (report)
    assert not before["denominator_entered"]
    res = client.post("/api/v1/denominators", json={"org_id": o["cq"].id, **DEN}, headers=_h(client, "county_cq"))
    assert res.status_code == 201, res.get_json()
    assert res.get_json()["unit_type"] == "non_public"
    data = _stats(client, city, o["city"], season)
    np = data["table1"]["non_public"]
    # 城区: 10 entered instead of its 2 listed; 泽州县: its 1 listed → 11; employees 500 + 80
    assert (np["units"], np["employees"], np["unit_rate"]) == (11, 580, round(2 / 11, 4)) and np["denominator_entered"]
    assert data["table1"]["state_owned"]["units"] == 1 and not data["table1"]["state_owned"]["denominator_entered"]
    assert data["table1"]["enterprises"]["units"] == 12
    assert "城区（10 家，500 人；来源：2026年城区统计年鉴" in data["definitions"]["denominators"]
    zz = _stats(client, _h(client, "county_zz"), o["zz"], season)
    assert zz["table1"]["non_public"]["units"] == 1 and "系统登记" in zz["definitions"]["denominators"]
    dup = client.post("/api/v1/denominators", json={"org_id": o["cq"].id, **DEN}, headers=_h(client, "county_cq"))
    assert dup.status_code == 409 and "已经填报过" in dup.get_json()["error"]["message"]
    assert db.session.scalar(select(func.count()).select_from(Denominator)) == 1


@pytest.mark.parametrize("change, field", [
    ({"unit_type": "外企"}, "unit_type"), ({"units": -1}, "units"), ({"units": "很多"}, "units"),
    ({"units": None}, "units"), ({"employees": 5}, "employees"), ({"source": ""}, "source"),
    ({"as_of": (TODAY + timedelta(days=2)).isoformat()}, "as_of"), ({"units": 10 ** 9}, "units"),
])
def test_a_wrong_denominator_field_is_named(client, world, change, field):
    res = client.post("/api/v1/denominators", json={"org_id": world["orgs"]["cq"].id, **DEN, **change},
                      headers=_h(client, "county_cq"))
    assert res.status_code == 400, res.get_json()
    assert [p["field"] for p in res.get_json()["error"]["problems"]] == [field]
    assert db.session.scalar(select(func.count()).select_from(Denominator)) == 0


@pytest.mark.parametrize("who, org, status", [
    ("county_zz", "cq", 403), ("unit_a", "cq", 403), ("city", "cq", 403), ("county_cq", "a", 409)])
def test_denominators_only_by_the_county_for_itself(client, world, who, org, status):
    res = client.post("/api/v1/denominators", json={"org_id": world["orgs"][org].id, **DEN}, headers=_h(client, who))
    assert res.status_code == status and res.get_json()["error"]["message"]
