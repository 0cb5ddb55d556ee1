"""Issue 18 items 1 and 4 in headless Chromium against gunicorn: a unit admin files a monthly
report from the menu — a refused field is shown next to it, then filed — and records and
confirms a skill-grade promotion. Screenshots in test-artifacts/ (console-reports-*.png,
console-promotions.png)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from server.extensions import db
from server.models import SkillPromotion, UnitReport
from server.timeutil import china_today

from .browser import ARTIFACTS, needs_chromium

pytestmark = needs_chromium
LAST_MONTH = (china_today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"console-{name}.png"), full_page=True)


def test_a_unit_admin_files_a_report_and_a_promotion(web, seeded, page):
    page.goto(web.url + "/console/login")
    page.click("button.demo[data-code=demo-unit-admin]")
    page.wait_for_selector("#nav")
    page.click("#nav >> text=单位月报")
    page.wait_for_selector("#report-form")
    page.fill("#report-form [name=period]", LAST_MONTH)
    for name, value in (("activities", "三次"), ("participants", "99999"), ("entries", "5"), ("promotions", "0")):
        page.fill(f"#report-form [name={name}]", value)
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("small.error[data-field=participants]")
    assert "职工总数" in page.inner_text("small.error[data-field=participants]")
    shot(page, "reports-error")
    page.fill("#report-form [name=participants]", "120多人")
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("p.notice[role=status]")
    assert LAST_MONTH in page.inner_text("#filed")
    shot(page, "reports")
    report = db.session.scalar(select(UnitReport))
    assert report.participants == 120
    page.click("#nav >> text=技能等级晋升")
    page.wait_for_selector("#promotion-form")
    page.fill("#promotion-form [name=person_name]", "王小明")
    page.select_option("#promotion-form [name=from_grade]", "grade4")
    page.select_option("#promotion-form [name=to_grade]", "grade3")
    page.fill("#promotion-form [name=promoted_on]", china_today().isoformat())
    page.click("#promotion-form button[type=submit]")
    page.wait_for_selector("button.confirm")
    page.click("button.confirm")
    page.wait_for_selector("#promotions >> text=已确认")
    shot(page, "promotions")
    db.session.expire_all()
    assert db.session.scalar(select(SkillPromotion)).confirmed_at is not None
