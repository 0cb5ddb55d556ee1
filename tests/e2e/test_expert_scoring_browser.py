"""An expert scores an entry in the console, in headless Chromium against gunicorn (issue 16):
scan in, open the assigned entry (blind review: no leader or unit names), pick bands and
points, get a score outside its band refused next to the field, fix it, submit, and see the
other expert's sheet appear; the stored sheet is what was typed. Screenshots in test-artifacts/."""
from __future__ import annotations

from urllib.parse import urlparse

from sqlalchemy import select

from server.extensions import db
from server.models import AuditEvent, Entry, Expert, PanelSeat, Score
from server.services import panels, scoring

from ..integration.chat import Chat
from ..integration.scoring_world import build, sheet_for
from .browser import ARTIFACTS, needs_chromium
from .processes import HttpClient

pytestmark = needs_chromium


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"console-expert-{name}.png"), full_page=True)


def test_an_expert_scores_an_entry_and_then_sees_the_others(web, ctx, page):
    w = build(n_entries=4, n_experts=4, blind_review=True)
    panels.assign(w.admin, w.season, 3)
    expert = w.experts[2]
    entry_id = min(db.session.scalars(select(PanelSeat.entry_id).where(PanelSeat.expert_id == expert.id)))
    entry = db.session.get(Entry, entry_id)
    leader, unit = entry.leader.name, next(u.name for u in w.units if u.id == entry.unit_id)
    other = db.session.get(Expert, next(x for x in db.session.scalars(
        select(PanelSeat.expert_id).where(PanelSeat.entry_id == entry_id)) if x != expert.id))
    scoring.submit(other.user, entry_id, sheet_for(92), "技术难度大，效益可观")

    page.goto(web.url + "/console/scoring")
    page.wait_for_selector("#login")
    phone = Chat(HttpClient(web.url), "expert-2")
    res = phone.client.post("/api/v1/auth/web-login", json={"scene": page.get_attribute("#login", "data-scene")},
                            headers=phone.headers)
    assert res.status_code == 200
    page.wait_for_url(lambda url: urlparse(url).path == "/console/scoring")
    assert "我的评审" in page.inner_text("#nav") and "专家库" not in page.inner_text("#nav")
    page.click(f"#assigned tr[data-entry='{entry_id}'] a")
    page.wait_for_selector("#score-form")
    body = page.inner_text("main")
    assert leader not in body and unit not in body and "匿名单位" in body
    assert "提交您自己的评分后" in page.inner_text("#others")
    # The benefit criterion: only economic bands, the one 50 万元/年 suggests already chosen.
    assert page.locator("#c-benefit input[type=radio]").count() == 4
    assert page.is_checked("#c-benefit input[value=economic_50]")

    choices = {"innovation": ("original", "12"), "technology": ("advanced", "18"), "benefit": ("economic_50", "17"),
               "effect": ("part_problem", "15")}
    for code, (band, points) in choices.items():
        page.check(f"#c-{code} input[value={band}]")
        page.fill(f"[name='{code}.points']", points)
    page.fill("#f-comment", "思路新颖，已在两个车间推广")
    assert page.inner_text("#total") == "62"                      # the running total as typed
    page.click("#score-submit")
    page.wait_for_selector("small.error[data-field='innovation.points']")
    assert "应在 15–20 分之间，收到的是 12 分" in page.inner_text("small.error[data-field='innovation.points']")
    assert page.input_value("#f-comment") == "思路新颖，已在两个车间推广"          # what was typed is kept
    shot(page, "refused")
    db.session.expire_all()
    assert db.session.scalar(select(Score).where(Score.expert_id == expert.id)) is None

    page.fill("[name='innovation.points']", "18")
    page.click("#score-submit")
    page.wait_for_selector("#others-table")
    notice = page.inner_text("#notice")
    assert "第 1 版" in notice and "合计 68 分" in notice
    others = page.inner_text("#others-table")
    assert "技术难度大，效益可观" in others and "92" in others and other.user.name not in others
    shot(page, "submitted")

    db.session.expire_all()
    score = db.session.scalar(select(Score).where(Score.expert_id == expert.id, Score.entry_id == entry_id))
    assert score.criteria == {"innovation": {"band": "original", "points": 18},
                              "technology": {"band": "advanced", "points": 18},
                              "benefit": {"band": "economic_50", "points": 17},
                              "effect": {"band": "part_problem", "points": 15}}
    assert score.total == 68 and score.comment == "思路新颖，已在两个车间推广" and score.revision == 1
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "score_submitted",
                                                      AuditEvent.actor_id == expert.user_id)) is not None


def test_the_office_assigns_panels_and_a_conflicted_expert_is_refused_with_the_reason(web, ctx, page):
    w = build(n_entries=12, n_experts=6)
    page.goto(web.url + "/console/login")
    scene = page.get_attribute("#login", "data-scene")
    phone = Chat(HttpClient(web.url), "city-admin")
    assert phone.client.post("/api/v1/auth/web-login", json={"scene": scene}, headers=phone.headers).status_code == 200
    page.wait_for_url(lambda url: urlparse(url).path == "/console/")
    page.click("#nav >> text=专家库")
    page.wait_for_selector("#pool")
    assert "专家0" in page.inner_text("#pool") and "示范单位1" in page.inner_text("#pool")
    shot(page, "pool")
    page.click("#pool >> text=专家1")
    page.wait_for_selector("#expert-form")
    assert "亲属关系" in page.inner_text("#conflicts")                 # declared for entry 4 by the office
    shot(page, "expert")
    page.click("#nav >> text=评审组")
    page.fill("#f-k", "3")
    page.click("#assign-submit")
    page.wait_for_selector("#notice")
    assert "已新增 36 个席位" in page.inner_text("#notice")
    loads = [int(x) for x in page.locator("#loads td.load").all_inner_texts()]
    assert sum(loads) == 36 and max(loads) - min(loads) <= 1
    shot(page, "panels")
    entry = w.entries[1]                                    # 城区示范单位2: expert 0 works in 城区
    page.click(f"#entries tr[data-entry='{entry.id}'] a")
    page.wait_for_selector("#add-form")
    page.select_option("#f-add", str(w.experts[0].id))
    page.click("#add-submit")
    page.wait_for_selector("small.error[data-field=add]")
    assert "存在利益冲突（专家所在县（区）的成果），不能分配" in page.inner_text("small.error[data-field=add]")
    shot(page, "panel-refused")
    db.session.expire_all()
    assert w.experts[0].id not in db.session.scalars(select(PanelSeat.expert_id).where(PanelSeat.entry_id == entry.id)).all()
