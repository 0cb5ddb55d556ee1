"""Issue 18 item 4: units that have not filed last month's report are reminded through the
notifications machinery — from the season's reminder day, not at night, once per unit and month
however often the job runs; their unit admins receive it; a unit that files meanwhile is not."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from server.extensions import db
from server.models import Delivery, OutboxEvent, SubscriptionConsent
from server.services import notify, report_reminders
from workers.periodic import PERIODIC

from ..factories import make_org, make_report, make_season, make_user

DAY = date(2026, 11, 10)
LAST = "2026-10"


def _at(monkeypatch, day: date, china_hour: int = 12):
    moment = datetime(day.year, day.month, day.day, china_hour) - timedelta(hours=8)
    monkeypatch.setattr(report_reminders, "utcnow", lambda: moment)


@pytest.fixture
def world(ctx):
    city = make_org("晋城市", "city")
    county = make_org("城区", "county", city)
    season = make_season(today=DAY, org_id=city.id, settings={"reports.remind_day": 8})
    a = make_org("甲厂", "unit", county, employee_count=100)
    b = make_org("乙厂", "unit", county, employee_count=100)
    c = make_org("丙厂", "unit", county, employee_count=100)
    gone = make_org("已退出的厂", "unit", county, employee_count=100)
    gone.retired_at = datetime(2026, 1, 1)
    admins = {"a": make_user("甲管理员", ("unit_admin", a)), "a2": make_user("甲副管理员", ("unit_admin", a)),
              "b": make_user("乙管理员", ("unit_admin", b)), "county": make_user("县管理员", ("county_admin", county))}
    make_report(c, LAST, by=admins["county"])                  # c has filed
    for user in admins.values():
        db.session.add(SubscriptionConsent(user_id=user.id, template="report_missing", remaining=2))
    db.session.commit()
    return season, {"a": a, "b": b, "c": c}, admins


def _events():
    return list(db.session.scalars(select(OutboxEvent).where(OutboxEvent.kind == "report_missing")
                                   .order_by(OutboxEvent.id)))


@pytest.mark.parametrize("day, hour, expected", [
    (date(2026, 11, 7), 12, 0),       # before the season's reminder day (8)
    (date(2026, 11, 8), 12, 2),       # from it: a and b (c filed; the retired one is not chased)
    (date(2026, 11, 10), 23, 0),      # at night: the next run after the quiet hours does it
])
def test_reminded_from_the_day_set_and_not_at_night(monkeypatch, world, day, hour, expected):
    _at(monkeypatch, day, hour)
    assert report_reminders.remind_missing() == expected


def test_once_per_unit_and_month_then_delivered_to_the_unit_admins(monkeypatch, world, wx):
    _, units, admins = world
    _at(monkeypatch, DAY)
    assert report_reminders.remind_missing() == 2
    assert report_reminders.remind_missing() == 0                  # the next run: already written
    events = _events()
    assert [(e.payload["org_id"], e.payload["month"]) for e in events] == [(units["a"].id, LAST), (units["b"].id, LAST)]
    assert events[0].dedupe_key == f"report_missing:{units['a'].id}:{LAST}"
    notify.handle_event(events[0].id)
    got = {(d.user_id, d.template) for d in db.session.scalars(select(Delivery))}
    assert got == {(admins["a"].id, "report_missing"), (admins["a2"].id, "report_missing")}
    sent = wx.calls("subscribe_send")[0]["data"]
    assert sent["data"]["thing1"]["value"] == "甲厂" and "2026年10月" in sent["data"]["thing2"]["value"]
    # b files before its event is handled: nobody is told
    make_report(units["b"], LAST, by=admins["b"])
    db.session.commit()
    notify.handle_event(events[1].id)
    assert db.session.scalar(select(func.count()).select_from(Delivery).where(
        Delivery.user_id == admins["b"].id)) == 0
    # the next month is a new reminder
    _at(monkeypatch, date(2026, 12, 9))
    assert report_reminders.remind_missing() == 3                 # a, b, c for 2026-11


def test_a_bad_setting_falls_back_to_the_default_day(world):
    season, _, _ = world
    for value in (0, 31, "5", True, None):
        season.settings = {"reports.remind_day": value}
        assert report_reminders.remind_day(season) == report_reminders.DEFAULT_DAY


def test_the_job_is_scheduled_with_the_others():
    assert PERIODIC["report_reminders"][0] == "workers.reminders.remind_missing_reports"
