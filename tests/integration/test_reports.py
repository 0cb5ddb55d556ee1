"""Issue 18 item 4: units file monthly reports (月报) in the dialogue and through the API; a
future month, a unit one does not manage, a second report of a month and absurd figures are
refused naming the field; the level above sees who has not filed."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from server.extensions import db
from server.forms.parsers import AnswerError, parse_count
from server.models import AuditEvent, Organisation, UnitReport
from server.timeutil import china_today, utcnow

from ..helpers import auth_header, login
from .chat import Chat

LAST_MONTH = (china_today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
NEXT_MONTH = (china_today().replace(day=28) + timedelta(days=5)).strftime("%Y-%m")


@pytest.mark.parametrize("typed, count", [
    ("3", 3), ("３次", 3), ("三次", 3), ("十二人", 12), ("1,200人", 1200), ("一百二十名", 120), ("没有", 0),
    ("0", 0), ("零", 0), ("120多人", 120), ("两千", 2000), ("贰拾", 20), (7, 7),
    ("五十余名", 50), ("三十来人", 30), ("100余人", 100),     # 余/来 like 多 (they were refused)
])
def test_counts_as_people_write_them(typed, count):
    assert parse_count(typed) == count


@pytest.mark.parametrize("typed, key", [
    ("2.5人", "count_not_whole"), ("-3", "count_negative"), ("负三", "count_negative"), ("很多", "count_unclear"),
    ("", "count_unclear"), (True, "count_unclear"), ("三五个", "count_unclear"), ("2000000", "count_too_large"),
])
def test_counts_refused_with_the_reason(typed, key):
    with pytest.raises(AnswerError) as refused:
        parse_count(typed)
    assert refused.value.key == key


def unit() -> Organisation:
    return db.session.scalar(select(Organisation).where(Organisation.name == "晋城示范煤机制造有限公司"))


def test_a_unit_admin_files_a_monthly_report_in_the_dialogue(client, seeded):
    chat = Chat(client, "demo-unit-admin")
    chat.say("月报")
    assert chat.step == "report.period" and "哪个月" in chat.text()
    chat.say(NEXT_MONTH.replace("-", "年") + "月")
    assert chat.step == "report.period" and "今天" in chat.text()          # a future month
    chat.say(LAST_MONTH.replace("-", "年") + "月")
    chat.say("三次")
    assert chat.step == "report.participants"
    employees = unit().employee_count
    chat.say(f"{employees + 1}人")
    assert chat.step == "report.participants" and "职工总数" in chat.text()
    chat.say("120人")
    chat.say("5项")
    chat.say("没有")
    chat.say("跳过")
    assert chat.step == "confirm"
    assert "月报" in chat.text() and "项目名称" not in chat.text()     # the report's own words, not the entry's
    chat.say("修改 参与人数")                                        # the command it suggests works
    assert chat.step == "report.participants"
    chat.say("120人")
    assert chat.step == "confirm"
    chat.say("提交")
    assert "已收到" in chat.text() and chat.step is None, chat.text()
    report = db.session.scalar(select(UnitReport))
    assert (report.period, report.activities, report.participants, report.entries, report.promotions) == \
        (LAST_MONTH, 3, 120, 5, 0)
    assert report.filed_at is not None and report.org_id == unit().id
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "report_filed")).object_id == report.id
    # the same month again is refused where the month is given, the first report untouched
    chat.say("月报")
    chat.say(LAST_MONTH.replace("-", "年") + "月")
    assert chat.step == "report.period" and "只报一次" in chat.text()


def test_only_unit_admins_start_a_report(client, seeded):
    chat = Chat(client, "demo-participant")
    chat.say("月报")
    assert "单位管理员" in chat.text() and chat.step is None


def _file(client, code, org_id, **values):
    h = auth_header(login(client, code)["token"])
    body = {"org_id": org_id, "period": LAST_MONTH, "activities": 2, "participants": "80人", "entries": 3,
            "promotions": 1, **values}
    return client.post("/api/v1/reports", json=body, headers=h)


@pytest.mark.parametrize("values, status, field", [
    ({}, 201, None),
    ({"period": NEXT_MONTH}, 400, "report.period"),
    ({"participants": 10 ** 5}, 400, "report.participants"),        # more than the unit's employees
    ({"promotions": 1201}, 400, "report.promotions"),               # the unit employs 1200
    ({"activities": -1}, 400, "report.activities"),
    ({"entries": "很多"}, 400, "report.entries"),
    ({"promotions": None}, 400, "report.promotions"),
])
def test_api_refuses_each_wrong_field_and_stores_nothing(client, seeded, values, status, field):
    res = _file(client, "demo-unit-admin", unit().id, **values)
    assert res.status_code == status, res.get_json()
    if field:
        assert field in [p["field"] for p in res.get_json()["error"]["problems"]]
        assert db.session.scalar(select(UnitReport)) is None
        assert "已保存" not in res.get_json()["error"]["message"]      # nothing was: say so
    else:
        assert res.get_json()["participants"] == 80


@pytest.mark.parametrize("typed", [f"{LAST_MONTH}-05", LAST_MONTH.replace("-", "年") + "月5日"])
def test_a_month_written_with_a_day_is_that_month_and_still_filed_once(client, seeded, typed):
    first = _file(client, "demo-unit-admin", unit().id, period=typed)
    assert first.status_code == 201 and first.get_json()["period"] == LAST_MONTH, first.get_json()
    again = _file(client, "demo-unit-admin", unit().id, period=LAST_MONTH)
    assert again.status_code == 409
    assert db.session.scalars(select(UnitReport.period)).all() == [LAST_MONTH]


@pytest.mark.parametrize("flag", [True, False])
def test_a_json_boolean_is_no_count(client, seeded, flag):
    """true was taken as 1 (and false as 0) by the request model before the count parser saw it."""
    res = _file(client, "demo-unit-admin", unit().id, activities=flag)
    assert res.status_code == 400 and res.get_json()["error"]["field"].startswith("activities")
    assert db.session.scalar(select(UnitReport)) is None


def test_api_refuses_other_units_and_second_reports(client, seeded):
    assert _file(client, "demo-unit-admin", unit().id).status_code == 201
    again = _file(client, "demo-unit-admin", unit().id)
    assert again.status_code == 409 and "只报一次" in again.get_json()["error"]["message"]
    other = db.session.scalar(select(Organisation).where(Organisation.name == "北义城镇西村乡村e站"))
    assert _file(client, "demo-unit-admin", other.id).status_code == 403
    assert _file(client, "demo-county-admin", unit().id).status_code == 403      # the county reads, the unit files
    assert db.session.query(UnitReport).count() == 1


def test_the_level_above_sees_who_has_not_filed(client, seeded):
    assert _file(client, "demo-unit-admin", unit().id).status_code == 201
    h = auth_header(login(client, "demo-county-admin")["token"])
    county = db.session.scalar(select(Organisation).where(Organisation.name == "城区"))
    res = client.get(f"/api/v1/reports/missing?org_id={county.id}&month={LAST_MONTH}", headers=h)
    names = [u["name"] for u in res.get_json()["units"]]
    assert res.status_code == 200 and names and "晋城示范煤机制造有限公司" not in names
    filed = client.get(f"/api/v1/reports?org_id={county.id}&from={LAST_MONTH}&to={LAST_MONTH}", headers=h)
    assert [r["org_name"] for r in filed.get_json()["reports"]] == ["晋城示范煤机制造有限公司"]
    zz = auth_header(login(client, "demo-county-admin-zezhou")["token"])
    assert client.get(f"/api/v1/reports/missing?org_id={county.id}&month={LAST_MONTH}", headers=zz).status_code == 403


def test_a_retired_unit_is_not_chased_for_reports(client, seeded):
    county = db.session.scalar(select(Organisation).where(Organisation.name == "城区"))
    gone = db.session.scalar(select(Organisation).where(Organisation.name == "晋城蓝天新材料科技有限公司"))
    gone.retired_at = utcnow()
    db.session.commit()
    h = auth_header(login(client, "demo-county-admin")["token"])
    res = client.get(f"/api/v1/reports/missing?org_id={county.id}&month={LAST_MONTH}", headers=h)
    names = [u["name"] for u in res.get_json()["units"]]
    assert res.status_code == 200 and names and gone.name not in names


@pytest.mark.parametrize("org_id", [2 ** 31, 2 ** 40, 0, -1])
def test_ids_outside_the_column_are_refused_in_chinese(client, seeded, org_id):
    h = auth_header(login(client, "demo-unit-admin")["token"])
    res = client.post("/api/v1/reports", json={"org_id": org_id, "period": LAST_MONTH, "activities": 1,
                                               "participants": 1, "entries": 1, "promotions": 0}, headers=h)
    assert res.status_code == 400 and res.get_json()["error"]["field"] == "org_id"
    res = client.get(f"/api/v1/reports/missing?org_id={org_id}&month={LAST_MONTH}", headers=h)
    assert res.status_code == 400 and "org_id" in res.get_json()["error"]["message"]
