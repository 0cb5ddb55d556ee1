"""The expert side of the console (issue 16): the city office's expert pool and panels, the
expert's own entries and scoring form (blind review, bounds refused next to the field, others'
sheets only after one's own), and `flask panels assign` on entries already scored."""
from __future__ import annotations

import hashlib
import re
from urllib.parse import unquote

import pytest
from sqlalchemy import func, select

from server.config import INSTANCE_DIR
from server.extensions import db
from server.models import Attachment, AuditEvent, Entry, Expert, PanelSeat, Score
from server.services import panels, scoring
from tests.factories import make_user

from .console import desk_login
from .scoring_world import build, sheet_for


def seats_of(entry_id: int) -> list[int]:
    db.session.expire_all()
    return list(db.session.scalars(select(PanelSeat.expert_id).where(PanelSeat.entry_id == entry_id)
                                   .order_by(PanelSeat.id)))


def error_of(html: str, field: str) -> str:
    match = re.search(rf'<small class="error"[^>]*data-field="{re.escape(field)}">([^<]*)</small>', html)
    assert match, f"no error next to {field}"
    return match.group(1)


# -- the expert pool ------------------------------------------------------------------------
def test_the_office_adds_edits_and_declares_a_conflict_in_the_pool(client, ctx):
    w = build(n_entries=6, n_experts=3)
    newcomer = make_user("新专家", ("expert", w.city))
    db.session.commit()
    token = desk_login(client, "city-admin")
    page = client.get("/console/experts")
    assert page.status_code == 200 and "专家0" in page.text and "专家库" in page.text
    assert f'value="{newcomer.id}"' in page.text                        # a holder of the role, not yet in the pool
    bad = client.post("/console/experts", data={"csrf_token": token, "user_id": str(newcomer.id), "unit_id": "99999"})
    assert bad.status_code == 400 and "没有编号为 99999 的机构" in error_of(bad.text, "unit_id")
    assert db.session.scalar(select(func.count(Expert.id))) == 3           # nothing saved
    res = client.post("/console/experts", data={"csrf_token": token, "user_id": str(newcomer.id),
                                                "unit_id": str(w.units[2].id), "categories": ["equipment", "process"],
                                                "industries_more": "煤炭\n电力"})
    assert res.status_code == 302
    expert = db.session.scalar(select(Expert).where(Expert.user_id == newcomer.id))
    assert expert.unit_id == w.units[2].id and expert.categories == ["equipment", "process"]
    assert expert.industries == ["煤炭", "电力"]
    page = client.get(res.headers["Location"])
    assert "已保存" in page.text and "加入专家库" in page.text           # notice, and the audit trail

    # Moving expert 2 into a unit of 城区 drops the seats it now conflicts with, at once.
    panels.assign(w.admin, w.season, 2)
    moved = w.experts[2]
    chengqu = [e.id for e in w.entries if e.unit_id == w.units[0].id]
    had = [e for e in chengqu if moved.id in seats_of(e)]
    res = client.post(f"/console/experts/{moved.id}", data={"csrf_token": token, "unit_id": str(w.units[1].id)})
    assert res.status_code == 302
    page = client.get(res.headers["Location"])
    assert "修改专家信息" in page.text
    chengqu += [e.id for e in w.entries if e.unit_id == w.units[1].id]
    assert not [e for e in chengqu if moved.id in seats_of(e)]
    assert had == [] or "已移出" in page.text

    # A declared conflict: a wrong entry number is refused next to the field, nothing saved.
    other = w.experts[1]
    bad = client.post(f"/console/experts/{other.id}/conflicts", data={"csrf_token": token, "entry_id": "abc", "reason": "x"})
    assert bad.status_code == 400 and "不是整数" in error_of(bad.text, "entry_id")
    bad = client.post(f"/console/experts/{other.id}/conflicts", data={"csrf_token": token, "entry_id": str(w.entries[5].id)})
    assert bad.status_code == 400 and "理由" in error_of(bad.text, "reason")
    target = next(e.id for e in w.entries if other.id in seats_of(e.id))
    res = client.post(f"/console/experts/{other.id}/conflicts",
                      data={"csrf_token": token, "entry_id": str(target), "reason": "曾指导该项目"})
    assert res.status_code == 302 and other.id not in seats_of(target)
    page = client.get(f"/console/experts/{other.id}")
    assert "曾指导该项目" in page.text and f"成果 {target}" in page.text


def test_only_the_city_office_opens_the_pool_and_panels(client, ctx):
    build(n_entries=1, n_experts=1)
    desk_login(client, "county-admin")
    assert client.get("/console/experts").status_code == 403
    assert client.get("/console/panels").status_code == 403
    home = client.get("/console/")
    assert "专家库" not in home.text and "评审组" not in home.text


# -- panels ---------------------------------------------------------------------------------
def test_the_office_assigns_panels_adjusts_one_and_is_told_why_not(client, ctx):
    w = build(n_entries=12, n_experts=6)
    token = desk_login(client, "city-admin")
    page = client.get(f"/console/panels?season={w.season.id}")
    assert page.status_code == 200 and "不足 3 人" in page.text
    bad = client.post("/console/panels", data={"csrf_token": token, "season": str(w.season.id), "k": "99"})
    assert bad.status_code == 400 and "1–15" in error_of(bad.text, "k")
    assert seats_of(w.entries[0].id) == []
    res = client.post("/console/panels", data={"csrf_token": token, "season": str(w.season.id), "k": "3"})
    assert res.status_code == 302
    page = client.get(res.headers["Location"])
    assert "已新增 36 个席位" in page.text and "不足 3 人" not in page.text
    loads = [int(x) for x in re.findall(r'<td class="load">(\d+)</td>', page.text)]
    assert sum(loads) == 36 and max(loads) - min(loads) <= 1

    # Expert 0 works in 城区: adding them to a 城区 entry is refused with the reason.
    entry = w.entries[1]
    assert entry.unit_id == w.units[1].id
    page = client.get(f"/console/panels/entries/{entry.id}")
    assert "利益冲突：专家所在县（区）的成果" in page.text
    refused = client.post(f"/console/panels/entries/{entry.id}", data={"csrf_token": token, "add": str(w.experts[0].id)})
    assert refused.status_code == 400
    assert "存在利益冲突（专家所在县（区）的成果），不能分配" in error_of(refused.text, "add")
    assert w.experts[0].id not in seats_of(entry.id)
    member = seats_of(entry.id)[0]
    res = client.post(f"/console/panels/entries/{entry.id}", data={"csrf_token": token, "remove": str(member)})
    assert res.status_code == 302 and member not in seats_of(entry.id)
    spare = next(x.id for x in w.experts[1:] if x.id not in seats_of(entry.id) and x.id != member)
    res = client.post(f"/console/panels/entries/{entry.id}", data={"csrf_token": token, "add": str(spare)})
    assert res.status_code == 302 and spare in seats_of(entry.id)
    page = client.get(f"/console/panels/entries/{entry.id}")
    assert "评审组已调整" in page.text and "加入评审组" in page.text and "移出评审组" in page.text

    # An expert drops out: off every panel, each seat refilled without conflicts.
    leaving = w.experts[3]
    res = client.post(f"/console/experts/{leaving.id}/drop", data={"csrf_token": token})
    assert res.status_code == 302 and "专家已退出" in client.get(res.headers["Location"]).text
    db.session.expire_all()
    counts = dict(db.session.execute(select(PanelSeat.entry_id, func.count()).group_by(PanelSeat.entry_id)).all())
    assert set(counts.values()) == {3}
    assert not db.session.scalar(select(func.count()).where(PanelSeat.expert_id == leaving.id))


# -- the expert's own pages -------------------------------------------------------------------
def _attach(entry: Entry, name: str) -> Attachment:
    data = b"%PDF-1.4 fake"
    key = f"test/{hashlib.sha256(name.encode()).hexdigest()[:12]}.pdf"
    (INSTANCE_DIR / key).parent.mkdir(parents=True, exist_ok=True)
    (INSTANCE_DIR / key).write_bytes(data)
    a = Attachment(entry_id=entry.id, kind="other", filename=name, content_type="application/pdf", size=len(data),
                   sha256=hashlib.sha256(data).hexdigest(), storage_key=key)
    db.session.add(a)
    db.session.commit()
    return a


def _form(token: str, sheet: dict, comment: str = "") -> dict:
    data = {"csrf_token": token, "comment": comment}
    for code, given in sheet.items():
        data[f"{code}.band"], data[f"{code}.points"] = given["band"], str(given["points"])
    return data


def test_an_expert_scores_in_the_console_blind_with_refusals_next_to_the_fields(client, ctx):
    w = build(n_entries=4, n_experts=4, blind_review=True)
    panels.assign(w.admin, w.season, 3)
    expert = w.experts[2]
    entry_id = next(e.id for e in w.entries if expert.id in seats_of(e.id))
    entry = db.session.get(Entry, entry_id)
    unit_name = next(u.name for u in w.units if u.id == entry.unit_id)
    attachment = _attach(entry, f"{entry.leader.name}的鉴定证书.pdf")
    token = desk_login(client, "expert-2")
    home = client.get("/console/")
    assert "我的评审" in home.text and "专家库" not in home.text
    listing = client.get("/console/scoring")
    assert listing.status_code == 200 and f"/console/scoring/{entry_id}" in listing.text
    page = client.get(f"/console/scoring/{entry_id}")
    assert page.status_code == 200
    for secret in (entry.leader.name, unit_name):
        assert secret not in page.text and secret not in listing.text
    assert "匿名单位" in page.text and "附件1.pdf" in page.text and "鉴定证书" not in page.text
    got = client.get(f"/console/scoring/{entry_id}/files/{attachment.id}")
    assert got.status_code == 200 and entry.leader.name not in unquote(got.headers["Content-Disposition"])
    assert "附件1.pdf" in unquote(got.headers["Content-Disposition"])
    # …and through the API's download too.
    from tests.helpers import auth_header, login
    api = client.get(f"/api/v1/attachments/{attachment.id}",
                     headers=auth_header(login(client, "expert-2")["token"]))
    assert api.status_code == 200 and entry.leader.name not in unquote(api.headers["Content-Disposition"])
    # The benefit criterion offers only the declared kind's bands, the suggested one chosen.
    assert 'value="economic_50"' in page.text and "social_good" not in page.text
    assert re.search(r'value="economic_50"[^>]*checked', page.text)      # 50 万元/年 takes the higher band
    assert "提交您自己的评分后" in page.text

    sheet = sheet_for(85)
    wrong = {**sheet, "innovation": {"band": "original", "points": 12}}
    res = client.post(f"/console/scoring/{entry_id}", data=_form(token, wrong))
    assert res.status_code == 400
    assert "应在 15–20 分之间，收到的是 12 分" in error_of(res.text, "innovation.points")
    res = client.post(f"/console/scoring/{entry_id}",
                      data={**_form(token, sheet), "benefit.band": "social_good", "technology.band": "",
                            "effect.points": "7.5"})
    assert res.status_code == 400
    assert "申报的是经济效益" in error_of(res.text, "benefit.band")
    assert "请为“科技含量”选择一个档次" in error_of(res.text, "technology.band")
    assert "应为整数" in error_of(res.text, "effect.points")
    assert 'value="7.5"' in res.text                                     # what was typed is kept
    assert db.session.scalar(select(func.count(Score.id))) == 0         # nothing saved

    res = client.post(f"/console/scoring/{entry_id}", data=_form(token, sheet, "思路新颖"))
    assert res.status_code == 302
    page = client.get(f"/console/scoring/{entry_id}")
    assert "评分已提交（第 1 版，合计 85 分）" in page.text and "其他专家还没有提交评分" in page.text
    other = next(x for x in w.experts if x.id in seats_of(entry_id) and x.id != expert.id)
    scoring.submit(other.user, entry_id, sheet_for(91), "效益明显")
    page = client.get(f"/console/scoring/{entry_id}")
    assert "效益明显" in page.text and ">91<" in page.text and other.user.name not in page.text
    res = client.post(f"/console/scoring/{entry_id}", data=_form(token, sheet_for(88), "修改后"))
    assert res.status_code == 302
    score = db.session.scalar(select(Score).where(Score.entry_id == entry_id, Score.expert_id == expert.id))
    db.session.refresh(score)
    assert score.total == 88 and score.revision == 2 and score.comment == "修改后"
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "score_revised")) == 1


@pytest.mark.parametrize("who", ["unassigned", "conflicted"])
def test_an_expert_cannot_open_an_entry_off_their_panel(client, ctx, who):
    w = build(n_entries=6, n_experts=4)
    panels.assign(w.admin, w.season, 2)
    expert = w.experts[0]                                               # works in 城区
    if who == "conflicted":
        entry = w.entries[0]
        db.session.add(PanelSeat(season_id=w.season.id, entry_id=entry.id, expert_id=expert.id))
        db.session.commit()
        expected = "利益冲突"
    else:
        entry = next(e for e in w.entries if expert.id not in seats_of(e.id) and e.unit_id not in
                     (w.units[0].id, w.units[1].id))
        expected = "没有分配给您评审"
    token = desk_login(client, "expert-0")
    page = client.get(f"/console/scoring/{entry.id}")
    assert page.status_code == 403 and expected in page.text
    res = client.post(f"/console/scoring/{entry.id}", data=_form(token, sheet_for(80)))
    assert res.status_code == 403 and expected in res.text
    assert db.session.scalar(select(func.count(Score.id))) == 0


# -- flask panels assign on entries already scored ------------------------------------------
def test_panels_assign_from_the_shell_tops_up_scored_entries_and_keeps_their_sheets(ctx, app):
    w = build(n_entries=3, n_experts=5)
    panels.assign(w.admin, w.season, 2)
    entry = w.entries[1]
    first = seats_of(entry.id)
    for expert_id in first:
        scoring.submit(db.session.get(Expert, expert_id).user, entry.id, sheet_for(80), None)
    db.session.refresh(entry)
    assert entry.status == "scored"
    out = app.test_cli_runner().invoke(args=["panels", "assign", str(w.season.id), "--k", "3"])
    assert out.exit_code == 0, out.output
    assert "已新增 3 个评审席位" in out.output
    assert f"因补派专家重新进入评审的成果（原有评分和专家保留）：{entry.id}" in out.output
    db.session.expire_all()
    now = seats_of(entry.id)
    assert now[:2] == first and len(now) == 3                           # scored seats kept, one added
    assert db.session.scalar(select(func.count(Score.id)).where(Score.entry_id == entry.id)) == 2
    assert db.session.get(Entry, entry.id).status == "accepted"          # the new member has to score
    reopened = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "entry_accepted",
                                                          AuditEvent.object_id == entry.id))
    assert reopened is not None and reopened.actor_id is None
    # Again with the same k: nothing to do, nothing reopened, nothing refused.
    out = app.test_cli_runner().invoke(args=["panels", "assign", str(w.season.id), "--k", "3"])
    assert out.exit_code == 0 and "已新增 0 个评审席位" in out.output
    # A smaller k never drops a seat, scored or not.
    out = app.test_cli_runner().invoke(args=["panels", "assign", str(w.season.id), "--k", "1"])
    assert out.exit_code == 0 and len(seats_of(entry.id)) == 3


def test_after_the_review_phase_the_form_is_closed_and_a_post_is_refused(client, ctx):
    from datetime import date, timedelta
    w = build(n_entries=3, n_experts=3)
    panels.assign(w.admin, w.season, 2)
    expert = w.experts[1]
    entry_id = next(e.id for e in w.entries if expert.id in seats_of(e.id))
    scoring.submit(expert.user, entry_id, sheet_for(80), "初评")
    today = date.today()
    w.season.review_start, w.season.review_end = today - timedelta(days=20), today - timedelta(days=2)
    db.session.commit()
    token = desk_login(client, "expert-1")
    page = client.get(f"/console/scoring/{entry_id}")
    assert page.status_code == 200 and 'id="closed"' in page.text and "评审阶段" in page.text
    assert 'id="score-submit"' not in page.text and "初评" in page.text
    res = client.post(f"/console/scoring/{entry_id}", data=_form(token, sheet_for(90), "改分"))
    assert res.status_code == 409 and "评审阶段" in res.text and "不能评分或修改评分" in res.text
    score = db.session.scalar(select(Score).where(Score.entry_id == entry_id, Score.expert_id == expert.id))
    db.session.refresh(score)
    assert score.total == 80 and score.revision == 1
