"""Issue 18 item 8: the dashboard in the console — each chart's numbers in a table beside it,
附件6 downloadable, scope enforced (a county reads its own subtree only)."""
from __future__ import annotations

import io
import json
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from server.extensions import db
from server.models import Organisation, User

from ..factories import make_entry
from .console import desk_login


def _org(name: str) -> Organisation:
    return db.session.scalar(select(Organisation).where(Organisation.name == name))


def _chart_data(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', html, re.S).group(1))


def test_a_city_admin_sees_charts_with_their_numbers(client, seeded):
    participant = db.session.scalar(select(User).where(User.name == "张建国"))
    season = seeded["demo_season"]
    for status in ("submitted", "submitted", "unit_recommended", "draft"):
        make_entry(participant, status=status, season=season)
    db.session.commit()
    desk_login(client, "demo-city-admin")
    page = client.get("/console/")
    assert "统计看板" in page.text
    res = client.get(f"/console/stats?season={season.id}")
    assert res.status_code == 200
    html = res.text
    data = _chart_data(html)
    funnel = dict(zip(data["funnel"]["labels"], data["funnel"]["values"]))
    assert funnel["已提交"] == 3 and funnel["单位已推荐"] == 1 and funnel["已开始填写"] == 4
    assert dict(zip(data["category"]["labels"], data["category"]["values"])) == {"设备类": 3}
    numbers = html[html.index('id="numbers-funnel"'):]
    assert "<td>已提交</td><td>3</td>" in numbers
    part = html[html.index('id="numbers-participation"'):html.index("</table>", html.index('id="numbers-participation"'))]
    assert "国有企业" in part and "90.0%" in part          # the 90% target for state-owned units
    area = html[html.index('id="participation-by-area"'):]
    assert "城区" in area and "泽州县" in area
    assert 'vendor/chartjs/chart.umd.min.js' in html and "cdn" not in html.lower()
    xlsx = client.get(f"/console/stats/annex6.xlsx?season={season.id}")
    assert xlsx.status_code == 200
    ws = load_workbook(io.BytesIO(xlsx.data))["统计表（一）"]
    assert "晋城市" in ws["A2"].value


def test_a_county_admin_reads_only_their_county(client, seeded):
    desk_login(client, "demo-county-admin")
    own = client.get("/console/stats")
    assert own.status_code == 200 and "城区" in own.text
    other = client.get(f"/console/stats?org={_org('泽州县').id}")
    assert other.status_code == 403 and "范围" in other.text
    assert client.get("/console/stats?org=abc").status_code == 404
    assert client.get("/console/stats?org=99999999999999999999999").status_code == 404


def test_participants_have_no_dashboard(client, seeded):
    desk_login(client, "demo-estation")
    assert "统计看板" not in client.get("/console/").text
    assert client.get("/console/stats").status_code == 403


@pytest.mark.parametrize("gap, shown", [
    (0.1, "差 10.0 个百分点"), (0.0004, "差 0.0 个百分点"), (0.0, "已达标"),
    (-0.1, "已达标，超出 10.0 个百分点"), (None, "—")], ids=["short", "just_short", "met", "over", "no_units"])
def test_the_gap_to_a_target_is_said_in_words(app, gap, shown):
    """target − rate: short of the target in points, met, or over it — never a bare "-10.0%"."""
    with app.test_request_context():
        from flask import render_template_string
        got = render_template_string('{% from "console/_rates.html" import gap with context %}{{ gap(v) }}', v=gap)
    assert got.strip() == shown
