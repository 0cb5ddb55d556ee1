"""The organisation awards in headless Chromium against gunicorn (issue 18 items 5 and 6): the
county uploads evidence and hands its 优秀组织奖 sheet in; the city office scores every evidence
item and decides, and the sheet shows its totals; a unit files its 附件5 application and the
county and city give their opinions. Screenshots in test-artifacts/."""
from __future__ import annotations

from sqlalchemy import select

from server.extensions import db
from server.models import Organisation, User

from ..factories import make_entry, make_report
from .browser import ARTIFACTS, browser_page, needs_chromium

pytestmark = needs_chromium
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def login(page, web, code: str) -> None:
    page.goto(web.url + "/console/login")
    page.click(f"button.demo[data-code={code}]")
    page.wait_for_selector("#nav")


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"console-{name}.png"), full_page=True)


def test_the_organisation_award_sheet_from_evidence_to_decision(web, seeded, tmp_path):
    season = seeded["demo_season"]
    unit_admin = db.session.scalar(select(User).where(User.name == "王海峰"))
    coal = db.session.scalar(select(Organisation).where(Organisation.name == "晋城示范煤机制造有限公司"))
    make_entry(unit_admin, status="accepted", season=season, unit=coal)
    make_report(coal, season.organise_start.strftime("%Y-%m"), by=unit_admin, participants=600, promotions=5)
    db.session.commit()
    evidence = tmp_path / "四方协调机构成立文件.pdf"
    evidence.write_bytes(PDF)
    with browser_page(viewport={"width": 1280, "height": 900}, locale="zh-CN") as page:
        login(page, web, "demo-county-admin")
        page.click("#nav >> text=优秀组织奖")
        page.click("#org-award-sheets >> text=查看考核表")
        shot(page, "org-award-open")
        page.set_input_files("#item-1 input[type=file]", str(evidence))
        page.fill("#item-1 input[name=note]", "2026年3月成立四方联席会议")
        page.click("#item-1 button")
        page.wait_for_selector("#item-1 a.tag")
        page.fill("#item-2 input[name=note]", "印发《六化提质行动方案》")
        page.click("#item-2 button")
        page.wait_for_selector("#item-2 .note")
        page.click("#submit-sheet")
        page.wait_for_selector("text=已报送，待市级评分")
        shot(page, "org-award-county")
    with browser_page(viewport={"width": 1280, "height": 900}, locale="zh-CN") as page:
        login(page, web, "demo-city-admin")
        page.click("#nav >> text=优秀组织奖")
        page.click("#org-award-sheets tr:has-text('城区') >> text=查看考核表")
        for no, points in ((1, "5"), (2, "9"), (3, "6"), (4, "7.5"), (9, "3"), (10, "4")):
            page.fill(f"#item-{no} input[name=score]", points)
            page.click(f"#item-{no} form.score button")
            page.wait_for_selector(f"#item-{no} td.score:has-text('{float(points):.1f}')")
        page.fill("#decide-form input[name=reason]", "四方机制健全，参与面广")
        page.click("#decide-form button")
        page.wait_for_selector("#decided")
        # 5 + 9 + 6 + 7.5 + 3 + 4 = 34.5 from evidence; computed: 1 of 4 units (25%) → 15 × 25 / 90 = 4.2,
        # 600 of 2115 employees (28.4%) → 15 × 28.37 / 90 = 4.7, 1 accepted entry → 3, 5 promotions → 5
        assert page.inner_text("#evidence-total") == "34.5"
        assert page.inner_text("#computed-total") == "16.9"
        assert page.inner_text("#total") == "51.4"
        assert "已获奖" in page.inner_text("#decided")
        shot(page, "org-award-city")


def test_a_winning_unit_application_in_turn(web, seeded):
    with browser_page(viewport={"width": 1280, "height": 900}, locale="zh-CN") as page:
        login(page, web, "demo-unit-admin")
        page.click("#nav >> text=优胜单位")
        page.fill("#f-legal_rep", "李卫东")
        page.fill("#f-phone", "0356-2021234")
        page.fill("#f-participants", "2000")
        page.fill("#f-summary", "全年开展“五小”活动 12 次，征集成果 86 项。")
        page.fill("#f-applicant_opinion", "同意申报。")
        page.click("#file-application button[type=submit]")
        page.wait_for_selector("small.error[data-field=participants]")
        assert "多于职工总数" in page.inner_text("small.error[data-field=participants]")
        shot(page, "winner-refused")
        page.fill("#f-participants", "960")
        page.click("#file-application button[type=submit]")
        page.wait_for_selector("#application-status")
    for code, comment in (("demo-county-admin", "成效突出，同意推荐"), ("demo-city-admin", "评为优胜单位")):
        with browser_page(viewport={"width": 1280, "height": 900}, locale="zh-CN") as page:
            login(page, web, code)
            page.click("#nav >> text=优胜单位")
            page.click("#winner-applications >> text=晋城示范煤机制造有限公司")
            page.fill("#opinion-form input[name=comment]", comment)
            page.click("#opinion-form button")
            page.wait_for_selector(f"#opinions >> text={comment}")
            if code == "demo-city-admin":
                assert "已获奖" in page.inner_text("#application-status")
                shot(page, "winner-awarded")
