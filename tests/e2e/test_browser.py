"""The H5 chat page driven in headless Chromium (Debian's, through Playwright) through a whole
submission: log in as a demo user, answer with buttons and text, upload a photo, see the
progress and the summary, submit. A screenshot is kept in test-artifacts/."""
from __future__ import annotations

import pytest
from PIL import Image

from server.extensions import db
from server.models import Entry

from ..integration.chat import ANSWERS
from .browser import ARTIFACTS, browser_page, needs_chromium

pytestmark = needs_chromium


@pytest.fixture()
def page():
    with browser_page(viewport={"width": 390, "height": 844}, device_scale_factor=2, locale="zh-CN",
                      is_mobile=True, has_touch=True) as p:
        yield p


def last_bot(page) -> str:
    return page.locator("#messages li.bot").last.inner_text()


def answer(page, text: str, step_before: str) -> None:
    """Click the option button when there is one with this text, else type it."""
    button = page.locator("#options button", has_text=text)
    count = page.locator("#messages li").count()
    if button.count() == 1 and button.inner_text() == text:
        button.click()
    else:
        page.fill("#text", text)
        page.click("#send")
    page.wait_for_function(f"document.querySelectorAll('#messages li').length > {count + 1}")
    page.wait_for_function(f"document.body.dataset.step !== {step_before!r}")


def test_a_whole_submission_in_the_browser(web, seeded, page, tmp_path):
    page.goto(web.url + "/")
    assert "“五小”成果申报助手" in page.title()
    page.click("button.demo[data-code=demo-participant]")
    page.wait_for_selector("#messages li.bot")
    assert "申报" in last_bot(page)
    answer(page, "申报", "")
    assert page.locator("#progress em").inner_text().startswith("第 1/")
    assert page.locator("#options button").count() == 6          # the six categories as buttons
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat-start.png"))
    for step, text in ANSWERS:
        assert page.evaluate("document.body.dataset.step") == step
        answer(page, text, step)
    assert page.evaluate("document.body.dataset.step") == "leader.photo"

    photo = tmp_path / "photo.jpg"
    Image.new("RGB", (300, 420), (200, 30, 40)).save(photo, format="JPEG")
    count = page.locator("#messages li").count()
    page.set_input_files("#photo", str(photo))
    page.wait_for_function("document.body.dataset.step === 'attachments'")
    assert page.locator("#messages li.me img").count() == 1 and "照片已收到" in page.locator("#messages").inner_text()
    assert page.locator("#messages li").count() > count
    for step, text in [("attachments", "完成"), ("filled_by", "我本人"), ("responsible_person", "李华")]:
        answer(page, text, step)
    assert page.evaluate("document.body.dataset.step") == "confirm"
    summary = page.locator("#messages").inner_text()
    assert "项目名称：皮带输送机自动纠偏装置" in summary and "经济效益：50 万元/年" in summary
    progress = page.locator("#progress em").inner_text()
    current, total = progress.removeprefix("第 ").removesuffix(" 步").split("/")
    assert current == total
    page.screenshot(path=str(ARTIFACTS / "chat-confirm.png"), full_page=False)

    answer(page, "提交", "confirm")
    assert "提交成功" in page.locator("#messages").inner_text()
    assert page.locator("#progress").is_hidden()
    page.screenshot(path=str(ARTIFACTS / "chat-submitted.png"), full_page=False)
    db.session.expire_all()
    entry = db.session.scalar(db.select(Entry))
    assert entry.status == "submitted" and entry.title == "皮带输送机自动纠偏装置"

    # Reload: the token is kept and the conversation resumes idle after the submission.
    page.reload()
    page.wait_for_selector("#messages li.bot")
    assert "申报" in last_bot(page)


def test_login_errors_are_shown_in_chinese(web, seeded, page):
    page.goto(web.url + "/")
    page.fill("#code", "bad-code")
    page.click("#login-button")
    page.wait_for_selector("#login-error:not([hidden])")
    assert "登录码无效" in page.inner_text("#login-error")
