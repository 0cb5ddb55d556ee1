"""The office console in headless Chromium (Debian's, through Playwright) against gunicorn:
a city admin logs in by the scan flow and creates a season, then moves its dates; a county admin
imports units from an .xlsx with one bad row (refused, nothing imported), fixes it, imports,
gives a unit admin role by phone; the audit trail shows each step. Screenshots in test-artifacts/."""
from __future__ import annotations

from urllib.parse import urlparse

from openpyxl import Workbook
from sqlalchemy import func, select

from server.extensions import db
from server.models import Organisation, RoleInvitation, Season
from server.services.org_excel import headers

from ..integration.chat import Chat
from .browser import ARTIFACTS, needs_chromium
from .processes import HttpClient

pytestmark = needs_chromium


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"console-{name}.png"), full_page=True)


def test_a_city_admin_scans_in_creates_a_season_and_moves_its_dates(web, seeded, page):
    page.goto(web.url + "/console/seasons")
    page.wait_for_selector("#wxacode")
    page.wait_for_function("document.getElementById('wxacode').complete")           # it may arrive after the page
    assert page.evaluate("document.getElementById('wxacode').naturalWidth") > 0      # the code image loaded
    shot(page, "login")
    scene = page.get_attribute("#login", "data-scene")
    phone = Chat(HttpClient(web.url), "demo-city-admin")
    res = phone.client.post("/api/v1/auth/web-login", json={"scene": scene}, headers=phone.headers)
    assert res.status_code == 200
    page.wait_for_url(lambda url: urlparse(url).path == "/console/seasons")   # the polling page logged itself in
    assert "陈明" in page.inner_text("header")
    page.click("#new-season")
    city = db.session.scalar(select(Organisation).where(Organisation.name == "晋城市"))
    fields = {"name": "2027年“五小”竞赛", "year": "2027", "organise_start": "2027-05-20", "organise_end": "2027-08-31",
              "submit_start": "2027-09-01", "submit_end": "2027-08-10", "review_start": "2027-09-11",
              "review_end": "2027-09-30", "publish_start": "2027-10-01", "publish_end": "2027-12-31",
              "achievement_from": "2025-10", "achievement_to": "2027-09", "grace_minutes": "0", "industries": "煤炭\n电力"}
    for name, value in fields.items():
        page.fill(f"[name='{name}']", value)
    page.select_option("#f-org_id", str(city.id))
    page.check("input[name=categories][value=product]")
    page.click("#save")
    page.wait_for_selector("small.error[data-field=submit_end]")        # out of order: refused next to the field
    assert "晚于结束日期" in page.inner_text("small.error[data-field=submit_end]")
    shot(page, "season-error")
    assert page.input_value("[name=name]") == "2027年“五小”竞赛"           # what was typed is kept
    page.fill("[name=submit_end]", "2027-09-10")
    page.click("#save")
    page.wait_for_selector("#saved")
    page.fill("[name=submit_start]", "2027-09-03")                      # move the window
    page.fill("[name=submit_end]", "2027-09-09")
    page.click("#save")
    page.wait_for_selector("#audit-trail :text('修改赛季')")
    trail = page.inner_text("#audit-trail")
    assert "新建赛季" in trail and "申报开始: 2027-09-01 → 2027-09-03" in trail
    shot(page, "season-moved")
    db.session.expire_all()
    season = db.session.scalar(select(Season).where(Season.name == "2027年“五小”竞赛"))
    assert str(season.submit_start) == "2027-09-03" and str(season.submit_end) == "2027-09-09"


def _sheet(path, rows):
    wb = Workbook()
    ws = wb.active
    ws.append(headers())
    for row in rows:
        ws.append(row)
    wb.save(path)


def test_a_county_admin_imports_units_and_gives_a_role_by_phone(web, seeded, page, tmp_path):
    page.goto(web.url + "/console/login")
    page.click("button.demo[data-code=demo-county-admin]")
    page.wait_for_selector("#nav")
    nav = page.inner_text("#nav")
    assert "组织机构" in nav and "人员与角色" in nav and "赛季设置" not in nav and "运行状态" not in nav
    shot(page, "county-home")
    page.click("#nav >> text=组织机构")
    page.click("#import-link")
    rows = [["城区示范机械厂", "基层单位", "城区", "国有企业", "工会", 300, "是", None],
            ["城区示范化工厂", "基层单位", "城区", "非公有制企业", "工会", "三百人", None, None]]
    before = db.session.scalar(select(func.count()).select_from(Organisation))
    _sheet(tmp_path / "bad.xlsx", rows)
    page.set_input_files("#import-file", str(tmp_path / "bad.xlsx"))
    page.click("#import-submit")
    page.wait_for_selector("#import-problems")
    problems = page.inner_text("#import-problems")
    assert "3\tF" in problems and "不是整数" in problems
    shot(page, "import-refused")
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == before      # nothing imported
    rows[1][5] = 120
    _sheet(tmp_path / "good.xlsx", rows)
    page.set_input_files("#import-file", str(tmp_path / "good.xlsx"))
    page.click("#import-submit")
    page.wait_for_selector("#imported")
    assert "已导入 2 个机构" in page.inner_text("#imported")
    shot(page, "import-done")
    db.session.expire_all()
    unit = db.session.scalar(select(Organisation).where(Organisation.name == "城区示范机械厂"))
    assert unit is not None and unit.model_key

    page.click("#nav >> text=人员与角色")
    page.fill("#f-phone", "13912340002")
    page.select_option("#f-role", "unit_admin")
    page.select_option("#f-org_id", str(unit.id))
    page.click("#invite-submit")
    page.wait_for_selector("#invited")
    assert "139****0002" in page.inner_text("#invitations")
    shot(page, "invited")
    assert db.session.scalar(select(RoleInvitation.role).where(RoleInvitation.phone == "13912340002")) == "unit_admin"

    page.click("#nav >> text=操作记录")
    page.wait_for_selector("#audit")
    trail = page.inner_text("#audit")
    for step in ("登录工作台", "导入机构", "新增机构", "按手机号邀请"):
        assert step in trail, step
    shot(page, "audit")


def test_the_dashboard_draws_its_charts(web, seeded, page):
    from server.models import User
    from ..factories import make_entry, make_promotion, make_report
    participant = db.session.scalar(select(User).where(User.name == "张建国"))
    unit = db.session.scalar(select(Organisation).where(Organisation.name == "晋城示范煤机制造有限公司"))
    for status, category in (("submitted", "equipment"), ("submitted", "process"), ("unit_recommended", "equipment")):
        make_entry(participant, status=status, season=seeded["demo_season"], category=category)
    month = seeded["demo_season"].organise_start.strftime("%Y-%m")
    make_report(unit, month, by=participant, activities=2, participants=300, promotions=5)
    for n in range(2):
        make_promotion(unit, by=participant, name=f"工人{n}", promoted_on=seeded["demo_season"].organise_start)
    db.session.commit()
    page.goto(web.url + "/console/login")
    page.click("button.demo[data-code=demo-city-admin]")
    page.wait_for_selector("#nav")
    page.click("#nav >> text=统计看板")
    page.wait_for_selector("#chart-participation")
    # Chart.js drew into each canvas (a drawn canvas has non-blank pixels)
    drawn = page.evaluate("""() => ['chart-participation', 'chart-funnel', 'chart-category', 'chart-industry',
                                    'chart-promotions']
        .map(id => { const c = document.getElementById(id); const d = c.getContext('2d')
                     .getImageData(0, 0, c.width, c.height).data; return d.some(v => v !== 0); })""")
    assert drawn == [True, True, True, True, True]
    assert "设备类" in page.inner_text("#numbers-category")
    # the unit's two confirmed records replace its monthly reports' 5
    assert "城区\t2\t2\t0\t0" in page.inner_text("#numbers-promotions")
    shot(page, "dashboard")
