"""Seasons (issue 14 item 3) through the console form and /api/v1/admin/seasons: the calendar
checks with errors next to the field, audit, reminders re-planned, copy from last year, 403s."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from server.extensions import db
from server.models import AuditEvent, Organisation, ReminderSlot, Season

from ..factories import make_season
from .chat import Chat
from .console import csrf_of, desk_login

GOOD = {
    "name": "2027年“五小”竞赛", "year": "2027", "organise_start": "2027-05-20", "organise_end": "2027-08-31",
    "submit_start": "2027-09-01", "submit_end": "2027-09-10", "review_start": "2027-09-11",
    "review_end": "2027-09-30", "publish_start": "2027-10-01", "publish_end": "2027-12-31",
    "achievement_from": "2025-10", "achievement_to": "2027-09", "grace_minutes": "30",
    "industries": "煤炭\n电力", "targets.state_owned": "0.9", "reminders.days_before_open": "7",
    "reminders.morning": "09:00", "reminders.evening": "18:00", "reminders.quiet_start": "21:00",
    "reminders.quiet_end": "08:00", "reminders.nudge_after_hours": "24",
}


def city_id() -> int:
    return db.session.scalar(select(Organisation.id).where(Organisation.name == "晋城市"))


def form(csrf: str, **changes) -> dict:
    data = {**GOOD, "org_id": str(city_id()), "csrf_token": csrf, "categories": ["product", "process"]}
    data.update(changes)
    return data


def test_a_city_admin_creates_a_season_and_moves_its_dates(client, seeded):
    csrf = desk_login(client, "demo-city-admin")
    res = client.post("/console/seasons/new", data=form(csrf))
    assert res.status_code == 302, res.text
    season = db.session.scalar(select(Season).where(Season.name == GOOD["name"]))
    assert season.org_id == city_id() and season.grace_minutes == 30 and season.industries == ["煤炭", "电力"]
    assert [c["code"] for c in season.categories] == ["product", "process"]
    slots = {s.key: s.send_at for s in db.session.scalars(select(ReminderSlot).where(ReminderSlot.season_id == season.id))}
    assert "opening" in slots
    page = client.get(res.headers["Location"])
    assert "新建赛季" in page.text and "已保存" in page.text
    res = client.post(f"/console/seasons/{season.id}", data=form(csrf_of(page.text), submit_start="2027-09-03",
                                                                  submit_end="2027-09-09"))
    assert res.status_code == 302
    db.session.expire_all()
    moved = {s.key: s.send_at for s in db.session.scalars(select(ReminderSlot).where(ReminderSlot.season_id == season.id))}
    assert moved["opening"] > slots["opening"]          # reminders re-planned
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "season",
                                                         AuditEvent.object_id == season.id)).all()
    assert [e.action for e in events] == ["season_created", "season_updated"]
    assert events[1].data["changes"]["submit_start"] == ["2027-09-01", "2027-09-03"]
    assert "修改赛季" in client.get(f"/console/seasons/{season.id}").text      # trail on the page


@pytest.mark.parametrize("changes,field,words", [
    ({"submit_end": "2027-08-01"}, "submit_end", "晚于结束日期"),
    ({"review_start": "2027-09-05"}, "review_start", "顺序"),
    ({"organise_start": "2027-13-01"}, "organise_start", "不是有效的日期"),
    ({"achievement_from": "2025/10"}, "achievement_from", "年-月"),
    ({"grace_minutes": "-5"}, "grace_minutes", "0 到 1440"),
    ({"grace_minutes": "半小时"}, "grace_minutes", "不是有效的数字"),
    ({"categories": []}, "categories", "至少选择"),
    ({"industries": ""}, "industries", "至少填写一个行业"),
    ({"targets.state_owned": "90%"}, "targets.state_owned", "0 到 1"),
    ({"reminders.morning": "9点"}, "reminders.morning", "时:分"),
    ({"reminders.nudge_after_hours": "99999999999999999999"}, "reminders.nudge_after_hours", "太大了"),   # was saved
    ({"reminders.days_before_open": "400"}, "reminders.days_before_open", "最多 365"),
    ({"name": "2021年“五小”竞赛"}, "name", "已经有名为"),
    ({"org_id": ""}, "org_id", "请选择一个市或省"),
])
def test_each_wrong_field_is_refused_next_to_it(client, seeded, changes, field, words):
    csrf = desk_login(client, "demo-city-admin")
    res = client.post("/console/seasons/new", data=form(csrf, **changes))
    assert res.status_code == 400
    error = re.search(rf'<small class="error"[^>]*data-field="{re.escape(field)}">([^<]+)</small>', res.text)
    assert error and words in error.group(1), res.text[-3000:]
    assert db.session.scalar(select(Season).where(Season.name == GOOD["name"])) is None


def test_copy_from_last_year_moves_every_date_a_year(client, seeded):
    desk_login(client, "demo-city-admin")
    source = db.session.scalar(select(Season).where(Season.name == "2021年“五小”竞赛"))
    page = client.get(f"/console/seasons/new?copy_from={source.id}").text
    assert 'value="2022年“五小”竞赛"' in page and 'value="2022"' in page
    assert 'value="2022-09-01"' in page and 'value="2022-09"' in page and 'value="2020-10"' in page


@pytest.mark.parametrize("code", ["demo-county-admin", "demo-unit-admin", "demo-expert"])
def test_only_city_admins_reach_seasons(client, seeded, code):
    csrf = desk_login(client, code)
    assert "赛季设置" not in client.get("/console/").text
    res = client.get("/console/seasons/1")
    assert res.status_code == 403 and "市级管理员" in res.text
    res = client.post("/console/seasons/new", data=form(csrf))
    assert res.status_code == 400 and "不能为“晋城市”设置赛季" in res.text
    assert db.session.scalar(select(Season).where(Season.name == GOOD["name"])) is None


def test_the_api_for_scripts(client, seeded):
    admin = Chat(client, "demo-city-admin")
    body = {k: v for k, v in GOOD.items() if "." not in k}
    body.update(org_id=city_id(), year=2027, grace_minutes=30, industries=["煤炭"], categories=["product"],
                targets={"state_owned": 0.9}, reminders={"morning": "09:30"})
    res = client.post("/api/v1/admin/seasons", json=body, headers=admin.headers)
    assert res.status_code == 201, res.json
    season_id = res.json["id"]
    assert res.json["reminders"] == {"morning": "09:30"}
    res = client.patch(f"/api/v1/admin/seasons/{season_id}", json={"submit_end": "2027-08-01"}, headers=admin.headers)
    assert res.status_code == 400 and res.json["error"]["field"] == "submit_end"
    res = client.patch(f"/api/v1/admin/seasons/{season_id}", json={"submit_end": "2027-09-09"}, headers=admin.headers)
    assert res.status_code == 200 and res.json["submit_end"] == "2027-09-09"
    names = [s["name"] for s in client.get("/api/v1/admin/seasons", headers=admin.headers).json["seasons"]]
    assert GOOD["name"] in names and "2021年“五小”竞赛" in names
    county = Chat(client, "demo-county-admin")
    assert client.patch(f"/api/v1/admin/seasons/{season_id}", json={"grace_minutes": 5},
                        headers=county.headers).status_code == 403
    assert client.get("/api/v1/admin/seasons", headers=county.headers).json == {"seasons": []}


def test_a_province_admin_reads_and_runs_every_citys_seasons(client, seeded):
    from server.models import RoleAssignment, User
    from server.services.orgs import add_org
    province = db.session.scalar(select(Organisation).where(Organisation.kind == "province"))
    other_city = add_org("长治市", "city", province)
    make_season(name="长治市2027年竞赛", org_id=other_city.id)
    admin = User(openid="o-province", name="省级管理员")
    admin.roles = [RoleAssignment(role="city_admin", org_id=province.id)]
    db.session.add(admin)
    db.session.commit()
    from server.services import season_admin
    names = {s.name for s in season_admin.visible(admin)}
    assert {"长治市2027年竞赛", "2021年“五小”竞赛"} <= names
    jincheng = db.session.scalar(select(User).where(User.name == "陈明"))
    assert "长治市2027年竞赛" not in {s.name for s in season_admin.visible(jincheng)}   # one city's admin: its own
