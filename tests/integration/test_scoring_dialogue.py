"""Scoring on the phone, the answers the flow refuses and a revision by 修改: bounds come from
the band chosen for this entry, a refused answer stores nothing, a band changed later asks the
points again inside the new band and saves a revision."""
from __future__ import annotations

from sqlalchemy import select

from server.extensions import db
from server.models import PanelSeat, Score
from server.services import panels

from .chat import Chat
from .scoring_world import build


def test_refusals_and_a_revision_on_the_phone(client, ctx):
    w = build(n_entries=3, n_experts=3)
    panels.assign(w.admin, w.season, 3)
    expert = w.experts[2]
    first = min(e for e, x in db.session.execute(select(PanelSeat.entry_id, PanelSeat.expert_id)) if x == expert.id)

    outsider = Chat(client, "filer-0")
    outsider.say("评分")
    assert "只有评审专家可以评分" in outsider.text() and outsider.step is None

    chat = Chat(client, "expert-2")
    chat.say("评分")
    assert chat.step == "innovation.band" and "成果00" in chat.text()
    assert chat.last["replies"][-1]["options"] == ["有原创价值（15–20分）", "有一定创意（10–14分）", "思路一般（5–9分）"]
    chat.say("7")                                            # no such option
    assert chat.step == "innovation.band"
    chat.say("有一定创意")
    assert chat.step == "innovation.points" and chat.last["replies"][-1]["options"] == ["10", "12", "14"]
    chat.say("15")
    assert chat.step == "innovation.points" and "10–14" in chat.text()
    chat.say("十二分")
    assert chat.step == "technology.band"
    chat.say("2")
    chat.say("17")                                          # 同行业先进, 17
    assert chat.step == "benefit.band"
    options = chat.last["replies"][-1]["options"]           # economic only; 50 万元/年 suggests the 50–100 band
    assert len(options) == 4 and options[1].startswith("经济效益50–100万元/年") and options[1].endswith("【建议】")
    chat.say("1")                                           # the expert may choose another band
    assert chat.step == "benefit.points"
    chat.say("30")
    assert chat.step == "benefit.points" and db.session.scalar(select(Score).where(Score.entry_id == first)) is None
    chat.say("20")
    chat.say("2")
    chat.say("15")
    assert chat.step == "comment"
    chat.say("思路清楚")
    assert "合计 64 分" in chat.text()                       # 12 + 17 + 20 + 15
    db.session.expire_all()
    score = db.session.scalar(select(Score).where(Score.entry_id == first, Score.expert_id == expert.id))
    assert (score.total, score.revision, score.comment) == (64, 1, "思路清楚")
    assert score.criteria["benefit"] == {"band": "economic_100", "points": 20}

    # 修改 the band of this entry's 创新思路 → its points are asked again inside the new band.
    chat.say("返回")
    chat.say("修改 创新思路档次")
    assert chat.step == "innovation.band"
    chat.say("1")
    assert chat.step == "innovation.points"
    chat.say("18")
    assert "合计 70 分" in chat.text()
    db.session.expire_all()
    score = db.session.scalar(select(Score).where(Score.entry_id == first, Score.expert_id == expert.id))
    assert (score.total, score.revision) == (70, 2)
    assert score.criteria["innovation"] == {"band": "original", "points": 18}
