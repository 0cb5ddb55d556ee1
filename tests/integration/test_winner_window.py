"""The 附件5 (优胜单位) filing window (season setting winner_window): units file only between its
dates, the county's and the city's opinions only until their due dates — refused in Chinese with
the dates, nothing saved; the city office sets the dates on the console's 优胜单位 page (each wrong
field named beside itself, nothing saved, the change audited); a season without the setting
files at any time."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from server.extensions import db
from server.models import AuditEvent, Organisation, WinnerApplication
from server.services.awards import windows
from server.services.seasons import current_season
from server.timeutil import china_today

from ..helpers import auth_header, login
from .console import csrf_of, desk_login
from .test_winner_applications import FORM


def _org(name: str) -> Organisation:
    return db.session.scalar(select(Organisation).where(Organisation.name == name))


def _set(**days) -> None:
    """The current season's window, each date given in days from today (None: unset)."""
    season = current_season()
    today = china_today()
    season.settings = {**(season.settings or {}), "winner_window": {
        k: (today + timedelta(days=v)).isoformat() if v is not None else None for k, v in days.items()}}
    db.session.commit()


def _file(client, token):
    return client.post("/api/v1/winner-applications", headers=auth_header(token),
                       json={"org_id": _org("晋城示范煤机制造有限公司").id, **FORM})


# window (days from today) → filing status, words in the refusal
FILING = [
    ({}, 201, None),                                                       # no setting: as before
    ({"file_from": -3, "file_until": 3}, 201, None),
    ({"file_from": 0, "file_until": 0}, 201, None),                        # both ends count
    ({"file_from": 2, "file_until": 9}, 409, "开始"),
    ({"file_from": 2}, 409, "截止到 不限"),
    ({"file_from": -9, "file_until": -1}, 409, "已于"),
    ({"file_until": -1}, 409, "截止"),
]


@pytest.mark.parametrize("days, status, words", FILING)
def test_units_file_inside_the_window_only(client, seeded, days, status, words):
    _set(**days)
    res = _file(client, login(client, "demo-unit-admin")["token"])
    assert res.status_code == status, res.get_json()
    if words:
        message = res.get_json()["error"]["message"]
        assert words in message and "优胜单位" in message
        assert db.session.scalar(select(func.count()).select_from(WinnerApplication)) == 0


# (level, due in days from today) → status of that level's opinion
OPINIONS = [("county", 0, 200), ("county", -1, 409), ("city", 1, 200), ("city", -1, 409)]


@pytest.mark.parametrize("level, due, status", OPINIONS)
def test_opinions_until_their_due_dates(client, seeded, level, due, status):
    tokens = {k: login(client, c)["token"] for k, c in (("unit", "demo-unit-admin"), ("county", "demo-county-admin"),
                                                        ("city", "demo-city-admin"))}
    app_id = _file(client, tokens["unit"]).get_json()["id"]
    if level == "city":
        client.post(f"/api/v1/winner-applications/{app_id}/opinions", headers=auth_header(tokens["county"]),
                    json={"level": "county", "decision": "approve", "comment": "同意"})
    _set(**{f"{level}_by": due})
    res = client.post(f"/api/v1/winner-applications/{app_id}/opinions", headers=auth_header(tokens[level]),
                      json={"level": level, "decision": "approve", "comment": "同意"})
    assert res.status_code == status, res.get_json()
    if status == 409:
        message = res.get_json()["error"]["message"]
        due_day = (china_today() + timedelta(days=due)).isoformat()
        assert due_day in message and ("县级" if level == "county" else "市级") in message
        assert db.session.get(WinnerApplication, app_id).status == ("filed" if level == "county" else "county_recommended")


def test_an_office_without_the_right_hears_403_not_the_dates(client, seeded):
    tokens = {k: login(client, c)["token"] for k, c in (("unit", "demo-unit-admin"), ("zz", "demo-county-admin-zezhou"))}
    app_id = _file(client, tokens["unit"]).get_json()["id"]
    _set(county_by=-1)
    res = client.post(f"/api/v1/winner-applications/{app_id}/opinions", headers=auth_header(tokens["unit"]),
                      json={"level": "county", "decision": "approve", "comment": ""})
    assert res.status_code == 403


# form (dates as typed) → field with an error and words in it
BAD_FORMS = [
    ({"file_from": "2026-13-01"}, "file_from", "不是有效日期"),
    ({"file_from": "2026-11-10", "file_until": "2026-11-01"}, "file_until", "不能早于单位申报开始日期"),
    ({"file_until": "2026-11-30", "county_by": "2026-11-20"}, "county_by", "不能早于单位申报截止日期"),
    ({"county_by": "2026-12-10", "city_by": "2026-12-01"}, "city_by", "不能早于县级"),
]


@pytest.mark.parametrize("form, field, words", BAD_FORMS)
def test_the_city_office_sets_the_dates_bad_input_named(client, seeded, form, field, words):
    token = desk_login(client, "demo-city-admin")
    res = client.post("/console/winners/window", data={"csrf_token": token, **form})
    assert res.status_code == 400
    assert f'data-field="{field}"' in res.text and words in res.text
    assert "winner_window" not in (current_season().settings or {})
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "winner_window_set")) == 0


def test_the_city_office_sets_the_dates_and_everyone_sees_them(app, seeded):
    city, unit = app.test_client(), app.test_client()
    desk_login(city, "demo-city-admin")
    page = city.get("/console/winners").text
    assert "优胜单位申报时间" in page and "未设置（不限）" in page and 'name="file_from"' in page
    res = city.post("/console/winners/window", data={"csrf_token": csrf_of(page), "file_from": "2026-11-01",
                                                     "file_until": "2026-11-30", "county_by": "", "city_by": "2026-12-20"})
    assert res.status_code == 302
    season = current_season()
    got = windows.window(season)
    assert (got["file_from"].isoformat(), got["county_by"], got["city_by"].isoformat()) == ("2026-11-01", None, "2026-12-20")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "winner_window_set"))
    assert event.data["after"]["file_until"] == "2026-11-30" and event.data["before"]["file_until"] is None
    assert "设置优胜单位申报时间" in city.get("/console/audit?action=winner_window_set").text
    desk_login(unit, "demo-unit-admin")
    shown = unit.get("/console/winners").text
    assert "2026-11-30" in shown and 'name="file_from"' not in shown          # seen, not edited
    assert unit.post("/console/winners/window", data={"csrf_token": csrf_of(shown), "file_from": ""}).status_code == 403
