"""Issue 18 item 4 (the rest), the phone side: a unit admin of two units chooses which unit
files (the flow's unit step; flows are data), and an approximate figure (120多人) is confirmed
back before it is stored; the API (form mode) stores its base figure without asking."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from server.extensions import db
from server.models import UnitReport
from server.timeutil import china_today
from server.wechat.sandbox import openid_for_code

from ..factories import make_org, make_report, make_user
from ..helpers import auth_header, login
from .chat import Chat

LAST_MONTH = (china_today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
SAID = LAST_MONTH.replace("-", "年") + "月"


@pytest.fixture
def two_units(ctx):
    city = make_org("晋城市", "city")
    county = make_org("城区", "county", city)
    a = make_org("城区第一机械厂", "unit", county, unit_type="state_owned", system="union", employee_count=300)
    b = make_org("城区第二纺织厂", "unit", county, unit_type="non_public", system="union", employee_count=80)
    admin = make_user("双单位管理员", ("unit_admin", a), ("unit_admin", b))
    admin.openid = openid_for_code("rd-admin")
    other = make_user("别的单位", ("unit_admin", make_org("泽州某厂", "unit", county)))
    other.openid = openid_for_code("rd-other")
    db.session.commit()
    return a, b, admin


def _fill(chat, participants="60人"):
    chat.say(SAID)
    chat.say("2次")
    chat.say(participants)


def test_a_unit_admin_of_two_units_chooses_the_unit(client, two_units):
    a, b, admin = two_units
    make_report(a, LAST_MONTH, by=admin)               # the first unit has filed already
    db.session.commit()
    chat = Chat(client, "rd-admin")
    chat.say("月报")
    assert chat.step == "report.unit" and "哪个单位" in chat.text()
    assert "城区第一机械厂" in str(chat.last) and "城区第二纺织厂" in str(chat.last)     # offered as buttons
    chat.say("泽州某厂")                               # not one of theirs
    assert chat.step == "report.unit" and "城区第二纺织厂" in chat.text()
    chat.say("1")
    chat.say(SAID)                                     # the first unit's month is taken
    assert chat.step == "report.period" and "只报一次" in chat.text() and "城区第一机械厂" in chat.text()
    chat.say("修改 单位")
    assert chat.step == "report.unit"
    chat.say("2")
    assert chat.step == "report.period"
    chat.say(SAID)
    chat.say("2次")
    chat.say("60人")
    chat.say("0")
    chat.say("0")
    chat.say("跳过")
    assert chat.step == "confirm" and "城区第二纺织厂" in chat.text()
    chat.say("提交")
    filed = db.session.scalar(select(UnitReport).where(UnitReport.org_id == b.id))
    assert filed is not None and filed.filed_at is not None and filed.period == LAST_MONTH


def test_one_unit_is_not_asked(client, ctx):
    city = make_org("晋城市", "city")
    unit = make_org("城区第三厂", "unit", make_org("城区", "county", city), employee_count=100)
    user = make_user("单单位管理员", ("unit_admin", unit))
    user.openid = openid_for_code("rd-one")
    db.session.commit()
    chat = Chat(client, "rd-one")
    chat.say("月报")
    assert chat.step == "report.period"


@pytest.mark.parametrize("said, stored", [("120多人", 120), ("五十余名", 50), ("约30人", 30), ("40人左右", 40)])
def test_an_approximate_figure_is_confirmed_back(client, two_units, said, stored):
    chat = Chat(client, "rd-admin")
    chat.say("月报")
    chat.say("1")
    chat.say(SAID)
    chat.say("2次")
    chat.say(said)
    assert chat.step == "report.participants" and f"按 {stored} 记录，对吗" in chat.text()
    chat.say("否")
    assert chat.step == "report.participants" and "确切的整数" in chat.text()
    chat.say(said)
    chat.say("是")
    assert chat.step == "report.entries"
    report = db.session.scalar(select(UnitReport))
    db.session.refresh(report)
    assert report.participants == stored


def test_the_api_stores_the_base_figure_without_asking(client, two_units):
    a, _, _ = two_units
    h = auth_header(login(client, "rd-admin")["token"])
    res = client.post("/api/v1/reports", headers=h, json={
        "org_id": a.id, "period": LAST_MONTH, "activities": "2次", "participants": "120多人", "entries": 0,
        "promotions": 0})
    assert res.status_code == 201, res.get_json()
    assert res.get_json()["participants"] == 120
