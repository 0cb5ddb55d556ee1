"""The city office's results in headless Chromium against gunicorn: the ranking, 优秀奖 set with a
reason, a five-day publicity period, the release (refused without its confirmation, then done),
an objection filed from the mini-program API and answered in the console, taking an award away;
the database checked after each step. Screenshots in test-artifacts/results-*.png."""
from __future__ import annotations

from sqlalchemy import select

from server.extensions import db
from server.models import AwardDecision, Entry, Objection, ResultRelease

from ..integration.chat import Chat
from ..integration.test_publicity import scored
from .browser import ARTIFACTS, browser_page, needs_chromium
from .processes import HttpClient

pytestmark = needs_chromium


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"results-{name}.png"), full_page=True)


def test_the_office_sets_an_award_releases_and_answers_an_objection(web, ctx):
    w = scored(days=None)
    ids = [e.id for e in w.entries]
    with browser_page(viewport={"width": 1440, "height": 900}, locale="zh-CN") as page:
        page.goto(web.url + "/console/login")
        # The sandbox's desk login, as the scoring world's city admin.
        page.eval_on_selector("#demo-users form input[name=code]", "el => el.value = 'city-admin'")
        page.click("#demo-users form button.demo >> nth=0")
        page.wait_for_selector("#nav")
        page.click("#nav >> text=评审结果")
        page.wait_for_selector("#ranking")
        assert page.locator("#ranking tbody tr").count() == 6
        assert "一等奖" in page.inner_text(f"#ranking tr[data-entry='{ids[0]}']")
        shot(page, "ranking")

        # 优秀奖 for 成果05 (60 points, no grade), with its reason.
        row = f"#ranking tr[data-entry='{ids[5]}']"
        page.click(f"{row} summary")
        page.select_option(f"{row} select[name=award]", "excellent")
        page.fill(f"{row} textarea[name=reason]", "在节能降耗方面有突出示范作用，委员会一致同意")
        page.click(f"{row} button[type=submit]")
        page.wait_for_selector("#saved")
        assert "优秀奖" in page.inner_text(f"#ranking tr[data-entry='{ids[5]}'] td.award")
        db.session.expire_all()
        decision = db.session.scalar(select(AwardDecision).where(AwardDecision.entry_id == ids[5]))
        assert (decision.award, decision.reason) == ("excellent", "在节能降耗方面有突出示范作用，委员会一致同意")

        # A five-day publicity period; then the release, first without its confirmation.
        page.fill("#publicity input[name=days]", "5")
        page.click("#publicity button")
        page.wait_for_selector("#saved")
        assert "5 天公示期" in page.inner_text("#release")
        page.click("#release-form button")
        page.wait_for_selector("#problem")
        assert "请先勾选确认框" in page.inner_text("#problem")
        db.session.expire_all()
        assert db.session.scalar(select(ResultRelease)) is None
        shot(page, "release-confirm")
        page.check("#release-form input[name=confirm]")
        page.click("#release-form button")
        page.wait_for_selector("#saved")
        assert "公示中" in page.inner_text("#state")
        db.session.expire_all()
        release = db.session.scalar(select(ResultRelease))
        assert release is not None and release.publicity_ends_at is not None and release.finalised_at is None
        assert {e.status for e in db.session.scalars(select(Entry))} == {"scored"}

        # Someone objects from the mini-program; the office answers in the console.
        phone = Chat(HttpClient(web.url), "filer-3")
        res = phone.client.post(f"/api/v1/seasons/{w.season.id}/objections", headers=phone.headers,
                                json={"entry_id": ids[4], "reason": "该成果的年效益与车间台账不符"})
        assert res.status_code == 201, res.get_json()
        page.click("#nav >> text=公示与异议")
        page.wait_for_selector("#objections")
        assert "该成果的年效益与车间台账不符" in page.inner_text("#objections")
        assert page.is_disabled("#finalise-form button")              # the period runs, one objection open
        page.fill("#objections textarea[name=answer]", "经核实，年效益数据有误，取消拟授奖项")
        page.select_option("#objections select[name=award]", "none")
        page.click("#objections form.answer button")
        page.wait_for_selector("#saved")
        assert "奖项由“一等奖”改为“未获奖”" in page.inner_text("#objections")
        shot(page, "objection-answered")
        db.session.expire_all()
        objection = db.session.scalar(select(Objection))
        assert objection.answer == "经核实，年效益数据有误，取消拟授奖项" and objection.award_after is None
        assert db.session.scalar(select(AwardDecision.award).where(AwardDecision.entry_id == ids[4])) is None

        # The public list no longer shows the entry.
        page.goto(web.url + f"/seasons/{w.season.id}/publicity")
        text = page.inner_text("main")
        assert "成果00" in text and "成果05" in text and "成果04" not in text
        shot(page, "public-list")
