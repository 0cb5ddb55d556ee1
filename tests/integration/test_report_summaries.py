"""Issue 18 item 4: half-year and full-year summaries (总结) with their attachment through the
API — filed once per unit and period, not before the period's last month, every wrong field
named with nothing stored; the level above lists them and downloads the attachment."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from server.extensions import db
from server.models import AuditEvent, UnitReport
from server.timeutil import china_today
from server.wechat.sandbox import openid_for_code

from ..factories import make_org, make_user
from ..helpers import auth_header, login

YEAR = china_today().year - 1
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TEXT = "本年度共开展“五小”活动12次，参与职工860人，征集成果45项，其中获专利6项，创造效益320万元。"


@pytest.fixture
def world(ctx):
    city = make_org("晋城市", "city")
    county = make_org("城区", "county", city)
    unit = make_org("城区第一机械厂", "unit", county, employee_count=300)
    other = make_org("泽州某厂", "unit", make_org("泽州县", "county", city), employee_count=50)
    users = {"unit": make_user("厂管理员", ("unit_admin", unit)), "county": make_user("县管理员", ("county_admin", county)),
             "other": make_user("别厂管理员", ("unit_admin", other))}
    for key, user in users.items():
        user.openid = openid_for_code(f"sm-{key}")
    db.session.commit()
    return unit, users


def _post(client, who, unit, **fields):
    data = {"org_id": str(unit.id), "kind": "year", "period": f"{YEAR}年度", "summary": TEXT,
            "file": (io.BytesIO(PDF), "总结.pdf"), **fields}
    data = {k: v for k, v in data.items() if v is not None}
    return client.post("/api/v1/reports/summaries", data=data, content_type="multipart/form-data",
                       headers=auth_header(login(client, f"sm-{who}")["token"]))


def test_a_unit_files_a_year_summary_and_the_county_downloads_it(client, world):
    unit, _ = world
    res = _post(client, "unit", unit)
    assert res.status_code == 201, res.get_json()
    body = res.get_json()
    assert (body["kind"], body["period"], body["period_label"]) == ("year", str(YEAR), f"{YEAR}年度")
    half = _post(client, "unit", unit, kind="half_year", period=f"{YEAR}年上半年", file=(io.BytesIO(PDF), "h1.pdf"))
    assert half.status_code == 201 and half.get_json()["period"] == f"{YEAR}-H1"
    county = auth_header(login(client, "sm-county")["token"])
    listed = client.get(f"/api/v1/reports/summaries?org_id={unit.parent_id}", headers=county).get_json()
    assert [s["period"] for s in listed["summaries"]] == [f"{YEAR}-H1", str(YEAR)]
    file = client.get(body["attachment_url"], headers=county)
    assert file.status_code == 200 and file.data == PDF
    other = auth_header(login(client, "sm-other")["token"])
    assert client.get(body["attachment_url"], headers=other).status_code == 404
    again = _post(client, "unit", unit, file=(io.BytesIO(PDF), "again.pdf"))
    assert again.status_code == 409 and "只报一次" in again.get_json()["error"]["message"]
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "report_filed")) == 2


@pytest.mark.parametrize("change, field", [
    ({"kind": "quarter"}, "kind"),
    ({"period": "2026年3季度"}, "period"),
    ({"kind": "half_year", "period": f"{YEAR}"}, "period"),
    ({"period": f"{china_today().year + 1}"}, "period"),                    # its last month has not come
    ({"summary": "写得太短"}, "summary"),
    ({"summary": None}, "summary"),
    ({"file": None}, "file"),
    ({"file": (io.BytesIO(b"not a document"), "x.txt")}, "file"),
])
def test_a_wrong_field_is_named_and_nothing_is_stored(client, world, change, field):
    unit, _ = world
    res = _post(client, "unit", unit, **change)
    assert res.status_code == 400, res.get_json()
    assert [p["field"] for p in res.get_json()["error"]["problems"]] == [field]
    assert db.session.scalar(select(func.count()).select_from(UnitReport)) == 0


def test_only_the_units_admin_files(client, world):
    unit, _ = world
    assert _post(client, "other", unit).status_code == 403
    assert _post(client, "county", unit).status_code == 403
