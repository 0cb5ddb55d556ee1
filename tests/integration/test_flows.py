"""Flows as data through the public surface: the farmer registration as a flow of its own, a
conversation saved before migration 0006 resuming after it, a step that left the flow, and the
content check asked with no transaction open."""
from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from server.extensions import db
from server.models import AuditEvent, Conversation, Entry, Person

from .chat import Chat


def test_farmer_registration_is_a_flow_of_its_own(client, seeded):
    agent = Chat(client, "demo-estation")
    agent.say("登记农户")
    assert agent.last["state"]["flow"] == "farmer_registration" and agent.step == "farmer.name"
    assert agent.last["state"]["progress"] == {"current": 1, "total": 5}
    for answer in ("王大伯", "139 8888 7777", "泽州县北义城镇西村", "是"):
        agent.say(answer)
    assert agent.step == "confirm" and "王大伯" in agent.text()
    agent.say("提交")
    assert agent.last["state"]["step"] is None and "已登记" in agent.text()
    farmer = db.session.query(Person).filter_by(name="王大伯").one()
    assert (farmer.phone, farmer.village, farmer.registered_by_id) == ("13988887777", "泽州县北义城镇西村",
                                                                      agent.user["id"])
    assert farmer.consent_at is not None
    assert db.session.query(AuditEvent).filter_by(action="farmer_consent", object_id=farmer.id).count() == 1
    assert db.session.query(Entry).count() == 0          # registering files nothing


def test_only_an_estation_agent_registers_farmers(client, seeded):
    worker = Chat(client, "demo-participant")
    worker.say("登记农户")
    assert worker.last["state"]["step"] is None and "乡村e站" in worker.text()
    assert db.session.query(Person).count() == 0


def test_abandoning_a_registration_leaves_no_farmer(client, seeded):
    agent = Chat(client, "demo-estation")
    agent.say("登记农户")
    agent.say("王大伯")
    agent.say("放弃")
    agent.say("是")
    assert agent.last["state"]["step"] is None
    assert db.session.query(Person).filter_by(registered_by_id=agent.user["id"]).count() == 0


def test_a_conversation_saved_before_the_flow_column_resumes_after_it(client, seeded):
    agent = Chat(client, "demo-estation")
    agent.say("为农户申报")
    agent.say("王大伯")
    assert agent.step == "farmer.phone"
    conv_id = db.session.query(Conversation).one().id
    db.session.remove()
    downgrade(revision="0005_outbox_handled")
    with db.engine.connect() as conn:
        row = conn.execute(text("SELECT proxy, step, entry_id FROM conversations WHERE id = :i"), {"i": conv_id}).one()
    assert bool(row.proxy) is True and row.step == "farmer.phone" and row.entry_id is not None
    upgrade()
    db.session.remove()
    resumed = client.get("/api/v1/dialogue", headers=agent.headers).get_json()
    assert resumed["state"]["flow"] == "entry_proxy" and resumed["state"]["step"] == "farmer.phone"
    assert resumed["entry_id"] == row.entry_id
    agent.say("139 8888 7777")
    assert agent.step == "farmer.village"


def test_a_step_renamed_or_removed_while_a_draft_was_open(client, seeded):
    worker = Chat(client, "demo-participant")
    worker.say("申报")
    worker.say("2")
    conv = db.session.query(Conversation).one()
    conv.step, conv.history = "industry_old_name", ["category", "industry_old_name"]
    db.session.commit()
    resumed = client.get("/api/v1/dialogue", headers=worker.headers)
    assert resumed.status_code == 200 and resumed.get_json()["state"]["step"] == "industry"
    worker.say("返回")                                    # the stale history entry is passed over
    assert worker.step == "category"
    worker.say("2")
    worker.say("煤炭")
    assert worker.step == "title"


def test_the_content_check_runs_with_no_transaction_open(client, seeded, monkeypatch):
    from server.services import content
    seen = []
    real = content.verdict

    def watched(openid, text_):
        seen.append((text_, db.session().in_transaction()))
        return real(openid, text_)

    monkeypatch.setattr(content, "verdict", watched)
    worker = Chat(client, "demo-participant")
    worker.say("申报")
    worker.say("2")
    worker.say("煤炭")
    worker.say("皮带输送机自动纠偏装置")
    assert worker.step == "started_on"
    assert seen == [("皮带输送机自动纠偏装置", False)]
    assert db.session.get(Entry, worker.last["entry_id"]).title == "皮带输送机自动纠偏装置"


def test_a_risky_text_in_form_mode_is_refused_and_others_saved(client, seeded, wx):
    worker = Chat(client, "demo-participant")
    res = client.post("/api/v1/entries", json={"title": "这里有赌博网站的链接", "industry": "煤炭"},
                      headers=worker.headers)
    body = res.get_json()
    assert res.status_code == 400 and [p["field"] for p in body["error"]["problems"]] == ["title"]
    entry = db.session.query(Entry).one()
    assert entry.title is None and entry.industry == "煤炭"
