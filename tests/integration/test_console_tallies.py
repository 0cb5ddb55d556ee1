"""Issue 18 item 1 in the console: a unit admin records and confirms a promotion; a county
admin enters a denominator; a wrong field shows its error next to it and nothing is saved;
the pages are on the menu only for those who may open them."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from server.extensions import db
from server.models import Denominator, Organisation, SkillPromotion
from server.timeutil import china_today

from .console import csrf_of, desk_login


def _org(name: str) -> Organisation:
    return db.session.scalar(select(Organisation).where(Organisation.name == name))


def test_a_unit_admin_records_and_confirms_a_promotion(client, seeded):
    token = desk_login(client, "demo-unit-admin")
    assert "技能等级晋升" in client.get("/console/").text
    assert "统计基数" not in client.get("/console/").text
    unit = _org("晋城示范煤机制造有限公司")
    form = {"csrf_token": token, "org_id": str(unit.id), "person_name": "王小明", "from_grade": "grade4",
            "to_grade": "grade5", "promoted_on": (china_today() + timedelta(days=3)).isoformat(), "entry_id": ""}
    bad = client.post("/console/promotions", data=form)
    assert bad.status_code == 400
    assert 'data-field="to_grade"' in bad.text and "要高于原等级" in bad.text
    assert 'data-field="promoted_on"' in bad.text and "不能晚于今天" in bad.text
    assert 'value="王小明"' in bad.text                                  # what was typed is kept
    assert db.session.scalar(select(func.count()).select_from(SkillPromotion)) == 0
    form.update(to_grade="grade3", promoted_on=china_today().isoformat(), csrf_token=csrf_of(bad.text))
    ok = client.post("/console/promotions", data=form)
    assert ok.status_code == 302
    page = client.get("/console/promotions")
    assert "王小明" in page.text and "高级工（三级）" in page.text and "确认" in page.text
    row = db.session.scalar(select(SkillPromotion))
    res = client.post(f"/console/promotions/{row.id}/confirm", data={"csrf_token": csrf_of(page.text)})
    assert res.status_code == 302
    db.session.refresh(row)
    assert row.confirmed_at is not None and "已确认" in client.get("/console/promotions").text
    no_csrf = client.post(f"/console/promotions/{row.id}/confirm", data={})
    assert no_csrf.status_code == 400


def test_a_county_admin_enters_a_denominator(client, seeded):
    token = desk_login(client, "demo-county-admin")
    page = client.get("/console/denominators")
    assert page.status_code == 200 and "城区" in page.text
    county = _org("城区")
    form = {"csrf_token": token, "org_id": str(county.id), "unit_type": "non_public", "units": "120",
            "employees": "30", "source": "", "as_of": china_today().isoformat()}
    bad = client.post("/console/denominators", data=form)
    assert bad.status_code == 400
    assert 'data-field="employees"' in bad.text and 'data-field="source"' in bad.text
    assert db.session.scalar(select(func.count()).select_from(Denominator)) == 0
    form.update(employees="3000", source="2026年城区统计年鉴", csrf_token=csrf_of(bad.text))
    assert client.post("/console/denominators", data=form).status_code == 302
    listed = client.get("/console/denominators").text
    assert "2026年城区统计年鉴" in listed and "非公有制企业" in listed
    dup = client.post("/console/denominators", data={**form, "csrf_token": csrf_of(listed)})
    assert dup.status_code == 400 and 'data-field="as_of"' in dup.text and "已经填报过" in dup.text


def test_an_expert_has_neither_page(client, seeded):
    desk_login(client, "demo-expert")
    assert client.get("/console/promotions").status_code == 403
    assert client.get("/console/denominators").status_code == 403
