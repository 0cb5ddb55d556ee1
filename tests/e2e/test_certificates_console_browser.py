"""The certificates console in headless Chromium against gunicorn, with a real RQ worker: the
city admin finds a certificate, revokes one with a reason (refused first without one), starts
the season's archive, watches the page poll its progress to the end and gets the download link.
Screenshots in test-artifacts/."""
from __future__ import annotations

import io
import zipfile

import requests
from sqlalchemy import select

from server.extensions import db, queue
from server.models import Certificate, User
from server.services.certificates import issue

from ..factories import make_awarded
from .browser import ARTIFACTS, browser_page, needs_chromium
from .processes import start, stop

pytestmark = needs_chromium


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"console-certificates-{name}.png"), full_page=True)


def test_find_revoke_and_download_the_archive(web, seeded):
    season = seeded["demo_season"]
    participant = db.session.scalar(select(User).where(User.name == "张建国"))
    for i in range(12):
        make_awarded(participant, ("special", "first", "second", "third", "excellent")[i % 5], season=season,
                     title=f"第{i}号矿用绞车制动器改进")
    db.session.commit()
    issue.issue_for_season(season.id)
    queue("low").empty()                           # the renders: the archive job draws them
    serials = list(db.session.scalars(select(Certificate.serial).order_by(Certificate.id)))
    with browser_page(viewport={"width": 1280, "height": 900}, locale="zh-CN") as page:
        page.goto(web.url + "/console/login")
        page.click("button.demo[data-code='demo-city-admin']")
        page.wait_for_selector("#nav")
        page.click("#nav a:text('荣誉证书')")
        page.wait_for_selector("#certificates")
        assert page.locator("#certificates tbody tr").count() == 12
        page.fill("[name=q]", "第3号")
        page.click("#cert-filter button[type=submit]")
        page.wait_for_selector(f"tr[data-serial='{serials[3]}']")
        assert page.locator("#certificates tbody tr").count() == 1
        shot(page, "list")
        page.click(f"a:text('{serials[3]}')")
        page.wait_for_selector("#facts")
        shot(page, "detail")
        page.click("#revoke-submit")
        page.wait_for_selector("small.error[data-field=reason]")
        assert "请填写撤销原因" in page.inner_text("#revoke")
        page.fill("#f-revoke-reason", "经复核，项目不符合申报条件")
        page.click("#revoke-submit")
        page.wait_for_selector("#done")
        assert "已撤销" in page.inner_text("#status") and "撤销证书" in page.inner_text("#audit-trail")
        shot(page, "revoked")
        page.goto(web.url + f"/console/certificates?season={season.id}")
        page.wait_for_selector("#archive-start")
        assert page.inner_text("#archive-status") == "尚未打包"
        page.click("#archive-start")
        page.wait_for_selector("#archive-status:text('排队中')")
        worker = start("-m", "workers.worker", "low")
        try:
            page.wait_for_selector("#archive-download:not([hidden])", timeout=120_000)
        finally:
            stop(worker)
        assert page.inner_text("#archive-status") == "已完成" and "11 / 11" in page.inner_text("#archive-count")
        shot(page, "archive-done")
        href = page.get_attribute("#archive-download", "href")
        cookies = {c["name"]: c["value"] for c in page.context.cookies()}
        res = requests.get(web.url + href, cookies=cookies, timeout=30)
        assert res.status_code == 200
        with zipfile.ZipFile(io.BytesIO(res.content)) as zf:
            assert len([n for n in zf.namelist() if n.endswith(".pdf")]) == 11
            assert f"{serials[3]}.pdf" not in zf.namelist()
