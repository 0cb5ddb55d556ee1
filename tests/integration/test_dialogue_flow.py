"""A whole conversation through the HTTP API, from login to a submitted entry, checked field
by field; and the proxy submission for a farmer, end to end."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from server.extensions import db
from server.models import AuditEvent, Entry
from server.timeutil import to_china

from .chat import ANSWERS, GRANT, START, DONE, Chat, walk, through


def test_full_conversation_to_submitted_entry(client, seeded):
    chat = Chat(client, "demo-participant")
    first = client.get("/api/v1/dialogue", headers=chat.headers).get_json()
    assert first["state"]["step"] is None and "申报" in first["replies"][0]["options"]
    chat.say("申报")
    assert chat.step == "category" and chat.last["entry_id"]
    assert "设备类" in chat.last["replies"][-1]["options"]
    # the participant's only unit is prefilled, so "unit" is never asked
    walk(chat, ANSWERS)
    assert chat.step == "leader.photo"
    chat.image(size=(300, 400))
    assert "照片已收到" in chat.text() and chat.step == "attachments"
    chat.image(size=(800, 600))
    assert "第 1 份" in chat.text()
    chat.say("完成")
    assert chat.step == "filled_by"
    chat.say("我本人")
    chat.say("李华")
    assert chat.step == "confirm"
    assert "皮带输送机自动纠偏装置" in chat.text() and "50 万元/年" in chat.text()
    progress = chat.last["state"]["progress"]
    assert progress["current"] == progress["total"]
    chat.say("提交")
    assert chat.last["state"]["done"] is True and "提交成功" in chat.text()

    e = db.session.get(Entry, chat.last["entry_id"])
    assert e.status == "submitted" and e.submitted_at is not None
    assert (e.category, e.industry, e.title) == ("equipment", "煤炭", "皮带输送机自动纠偏装置")
    assert (e.started_on, e.completed_on, e.funded_project) == (
        f"{START[0]}-{START[1]:02d}", f"{DONE[0]}-{DONE[1]:02d}", False)
    assert (e.patent_granted, e.patent_number, e.patent_announced_on) == (
        True, "ZL202021234567.2", date(GRANT[0], GRANT[1], 15))
    assert e.benefit_kind == "economic" and e.benefit_amount == Decimal("50.00") and e.benefit_description is None
    assert e.unit_id is not None
    lead = e.leader
    assert (lead.name, lead.gender, lead.birth_month, lead.phone) == ("张建国", "male", "1985-06", "13912345678")
    assert (lead.work_start, lead.political_status, lead.professional_title) == ("2006-07", "中共党员", None)
    assert (lead.skill_level, lead.education, lead.highest_honor) == ("技师", "大学专科", "晋城市五一劳动奖章")
    assert lead.user_id == chat.user["id"]
    assert [a.kind for a in e.attachments] == ["image"]
    assert (e.filled_by, e.responsible_person) == ("张建国", "李华")
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "entry_submitted")).object_id == e.id

    # locked against edits once submitted
    res = client.patch(f"/api/v1/entries/{e.id}", json={"title": "新名称"}, headers=chat.headers)
    assert res.status_code == 409 and "不能再修改" in res.get_json()["error"]["message"]
    # the next conversation starts idle; a second entry prefills the leader from the first
    chat.say("申报")
    walk(chat, through("benefit.amount"))
    chat.say("我本人")
    assert chat.step == "leader.professional_title"     # gender..political_status were prefilled


def test_proxy_submission_for_a_farmer(client, seeded):
    agent = Chat(client, "demo-estation")
    agent.say("为农户申报")
    assert agent.step == "farmer.name" and agent.last["state"]["flow"] == "entry_proxy"
    agent.say("王大伯")
    agent.say("139 8888 7777")
    agent.say("泽州县北义城镇西村")
    agent.say("不")
    assert agent.step == "farmer.consent" and "同意" in agent.text()
    agent.say("同意")                                    # answers 是否同意
    assert "已登记" in agent.text()
    registered = agent.text()
    answers = [a for a in ANSWERS if a[0] != "leader.name"]
    walk(agent, through("benefit.amount"))
    assert agent.step == "leader.name"
    agent.say("我本人")                                  # the farmer is the leader
    walk(agent, [("leader.gender", "男"), ("leader.birth_month", "1968年3月")])
    # phone came from the farmer; the flow says the leader farms (leader.occupation prefilled), so
    # 参加工作时间, 职称 and 技术等级 are not asked
    assert agent.step == "leader.political_status"
    walk(agent, [(s, a) for s, a in answers if s.startswith("leader.") and s not in
                 ("leader.occupation", "leader.gender", "leader.birth_month", "leader.phone", "leader.work_start",
                  "leader.professional_title", "leader.skill_level")])
    agent.say("跳过")
    agent.say("完成")
    agent.say("李秀兰")
    agent.say("村委会主任赵某")
    assert agent.step == "confirm"
    agent.say("提交")
    assert "已为农户 王大伯 提交成功" in agent.text()
    entry_id = agent.last["entry_id"]

    e = db.session.get(Entry, entry_id)
    assert e.agent_id == agent.user["id"] and e.applicant.name == "王大伯"
    assert e.applicant.consent_at is not None and e.applicant.village == "泽州县北义城镇西村"
    # the agent is told the consent time as people in Jincheng read clocks
    assert f"同意时间 {to_china(e.applicant.consent_at):%Y-%m-%d %H:%M}（北京时间）" in registered
    assert e.leader.name == "王大伯" and e.leader.phone == "13988887777"
    assert (e.leader.occupation, e.leader.work_start, e.leader.skill_level) == ("farmer", None, None)
    listed = client.get("/api/v1/entries", headers=agent.headers).get_json()["entries"]
    assert [x["id"] for x in listed] == [entry_id] and listed[0]["applicant"]["name"] == "王大伯"

    # The farmer logs in later and binds the same phone: the entry is theirs to see.
    farmer = Chat(client, "farmer-wang")
    assert client.get("/api/v1/entries", headers=farmer.headers).get_json()["entries"] == []
    client.post("/api/v1/me/phone", json={"code": "phone-13988887777"}, headers=farmer.headers)
    mine = client.get("/api/v1/entries", headers=farmer.headers).get_json()["entries"]
    assert [x["id"] for x in mine] == [entry_id]
    assert client.get(f"/api/v1/entries/{entry_id}", headers=farmer.headers).status_code == 200


def test_participant_cannot_start_proxy(client, seeded):
    chat = Chat(client, "demo-participant")
    chat.say("为农户申报")
    assert "只有乡村e站工作人员" in chat.text() and chat.step is None
