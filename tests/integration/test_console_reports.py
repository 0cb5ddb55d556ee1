"""Issue 18 item 4 in the console: a unit admin files a monthly report and a year summary; the
services' refusals show next to their field and nothing is saved; the county sees the filed
reports, the summaries (with the file) and last month's missing units."""
from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import func, select

from server.extensions import db
from server.models import Organisation, UnitReport
from server.timeutil import china_today

from .console import csrf_of, desk_login

LAST_MONTH = (china_today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
NEXT_MONTH = (china_today().replace(day=28) + timedelta(days=5)).strftime("%Y-%m")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _unit() -> Organisation:
    return db.session.scalar(select(Organisation).where(Organisation.name == "晋城示范煤机制造有限公司"))


def test_a_unit_admin_files_in_the_console_and_the_county_reads_it(client, seeded):
    token = desk_login(client, "demo-unit-admin")
    page = client.get("/console/reports")
    assert page.status_code == 200 and "填报月报" in page.text and "单位月报" in page.text
    unit = _unit()
    form = {"csrf_token": token, "org_id": str(unit.id), "period": NEXT_MONTH, "activities": "三次",
            "participants": str(unit.employee_count + 1), "entries": "-1", "promotions": "0", "problems": ""}
    bad = client.post("/console/reports", data=form)
    assert bad.status_code == 400
    for field in ("period", "participants", "entries"):
        assert f'data-field="{field}"' in bad.text, field
    assert 'data-field="activities"' not in bad.text and "职工总数" in bad.text
    assert db.session.scalar(select(func.count()).select_from(UnitReport)) == 0
    form.update(period=LAST_MONTH, participants="120人", entries="5", csrf_token=csrf_of(bad.text))
    assert client.post("/console/reports", data=form).status_code == 302
    dup = client.post("/console/reports", data={**form, "csrf_token": csrf_of(client.get("/console/reports").text)})
    assert dup.status_code == 400 and 'data-field="period"' in dup.text and "只报一次" in dup.text
    year = str(china_today().year - 1)
    summary = {"csrf_token": csrf_of(dup.text), "org_id": str(unit.id), "kind": "year", "period": year,
               "summary": "太短"}
    bad = client.post("/console/reports/summaries", data=summary, content_type="multipart/form-data")
    assert bad.status_code == 400 and 'data-field="summary"' in bad.text and 'data-field="file"' in bad.text
    summary.update(summary="全年开展活动12次，参与职工860人，征集成果45项，创造效益320万元。", csrf_token=csrf_of(bad.text),
                   file=(io.BytesIO(PDF), "年度总结.pdf"))
    assert client.post("/console/reports/summaries", data=summary, content_type="multipart/form-data").status_code == 302

    client.post("/console/logout", data={"csrf_token": csrf_of(client.get("/console/reports").text)})
    desk_login(client, "demo-county-admin")
    page = client.get("/console/reports").text
    assert "120" in page and LAST_MONTH in page and f"{year}年度" in page
    assert "晋城示范煤机制造有限公司" not in page.split('id="missing"')[1].split("</p>")[0]
    assert "填报月报" not in page                          # a county files no unit report
    link = page.split('href="/console/reports/summaries/')[1].split('"')[0]
    assert client.get(f"/console/reports/summaries/{link}").data == PDF
