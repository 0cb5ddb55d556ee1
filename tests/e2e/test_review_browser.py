"""The review queue in headless Chromium against gunicorn (issue 15): a county admin selects
entries with the keyboard (Tab, Space, Shift+Space for a range) and batch-recommends them, then
selects two with Shift+click and returns them with a reason and a named field while another
office has moved one of them: that one is refused beside it, in Chinese. The database is
checked after each step. Screenshots in test-artifacts/."""
from __future__ import annotations

import io

from PIL import Image, ImageDraw
from sqlalchemy import select

from server.extensions import db
from server.models import AuditEvent, Entry, EntryReview, User
from server.services import attachments
from server.services.seasons import current_season
from server.wechat.sandbox import openid_for_code

from ..factories import make_entry
from .browser import ARTIFACTS, needs_chromium

pytestmark = needs_chromium

TITLES = ("皮带自动纠偏装置", "液压支架快速检修工装", "变电站巡检记录小程序", "锅炉除渣工艺优化", "井下水泵远程控制")


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"review-{name}.png"), full_page=True)


def statuses(ids) -> list[str]:
    db.session.expire_all()
    return [db.session.get(Entry, i).status for i in ids]


def test_a_county_admin_batch_recommends_and_returns(web, seeded, page):
    participant = db.session.scalar(select(User).where(User.openid == openid_for_code("demo-participant")))
    ids = [make_entry(participant, status="unit_recommended", season=current_season(), title=title).id
           for title in TITLES]
    picture = io.BytesIO()
    img = Image.new("RGB", (320, 200), "white")
    ImageDraw.Draw(img).rectangle((40, 40, 280, 160), fill="steelblue")
    img.save(picture, format="PNG")
    shown = attachments.store(participant, db.session.get(Entry, ids[3]), picture.getvalue(), "现场.png", "image")
    db.session.commit()

    page.goto(web.url + "/console/login")
    page.click("button.demo[data-code=demo-county-admin]")
    page.wait_for_selector("#nav")
    page.click("#nav >> text=审核推荐")
    page.wait_for_selector("#queue")
    assert page.locator("input.pick").count() == 5
    assert page.inner_text("#selected-count") == "已选 0 项"

    # Keyboard: Tab from the select-all box (past the sort links) reaches the first row, Space
    # ticks it, ↓↓ and Shift+Space ticks the range down to the third.
    page.focus("#select-all")
    for _ in range(8):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('pick')"):
            break
    assert page.evaluate("document.activeElement.value") == str(ids[0])
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.down("Shift")
    page.keyboard.press("Space")
    page.keyboard.up("Shift")
    assert page.inner_text("#selected-count") == "已选 3 项"
    assert [page.is_checked(f"input.pick[value='{i}']") for i in ids] == [True, True, True, False, False]
    page.click("#select-all")                                    # select-all, then clear it again
    assert page.inner_text("#selected-count") == "已选 5 项"
    page.click("#select-all")
    assert page.inner_text("#selected-count") == "已选 0 项"
    for i in ids[:3]:
        page.check(f"input.pick[value='{i}']")
    shot(page, "selected")
    page.select_option("#action", "recommend")
    page.click("#run-batch")
    page.wait_for_selector("#batch-results")
    for i in ids[:3]:
        assert "县级已推荐" in page.inner_text(f"#result-{i}")
    assert statuses(ids) == ["county_recommended"] * 3 + ["unit_recommended"] * 2
    assert page.locator("input.pick").count() == 2               # the queue below holds what is left

    # Shift+click ticks the two left; meanwhile another office moves one of them.
    page.click(f"input.pick[value='{ids[3]}']")
    page.click(f"input.pick[value='{ids[4]}']", modifiers=["Shift"])
    assert page.inner_text("#selected-count") == "已选 2 项"
    moved = db.session.get(Entry, ids[4])
    moved.status = "withdrawn"
    db.session.commit()
    page.select_option("#action", "return")
    page.fill("#reason", "成果简介缺少应用效果数据，请补充年节约金额的计算依据。")
    page.locator("#fields").evaluate("el => el.closest('details').open = true")
    page.select_option("#fields", ["summary"])
    page.click("#run-batch")
    page.wait_for_selector("#batch-results")
    assert "已退回修改" in page.inner_text(f"#result-{ids[3]}")
    refused = page.inner_text(f"#result-{ids[4]}")
    assert "✗" in refused and "已撤回" in refused
    assert "1 份成功，1 份未办理" in page.inner_text("#batch-results h3")
    shot(page, "results")

    assert statuses(ids[3:]) == ["returned", "withdrawn"]
    review = db.session.get(EntryReview, ids[3])
    assert review.returned_level == "county" and review.return_fields == ["summary"]
    assert review.return_reason.startswith("成果简介缺少应用效果数据")
    acts = db.session.execute(select(AuditEvent.object_id, AuditEvent.action).where(
        AuditEvent.object_id.in_(ids), AuditEvent.action.in_(("entry_county_recommended", "entry_returned")))).all()
    assert sorted(acts) == sorted([(i, "entry_county_recommended") for i in ids[:3]] + [(ids[3], "entry_returned")])

    page.click(f"#result-{ids[3]} a")                             # the entry in full, its history
    page.wait_for_selector("#review-history")
    assert "退回修改" in page.inner_text("#review-history") and "成果简介" in page.inner_text("#returned")
    # The picture arrives after the page: wait for it to finish loading, then check it drew.
    img = f"document.querySelector('img[src$=\"/attachments/{shown.attachment.id}\"]')"
    page.wait_for_function(f"{img}.complete")
    assert page.evaluate(f"{img}.naturalWidth") == 320
    shot(page, "entry")
