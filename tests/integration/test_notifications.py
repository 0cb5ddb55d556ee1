"""Outbox → RQ → delivery: written with the change, relayed once, sent at most once per
(event, user) through the channel WeChat allows."""
from __future__ import annotations

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy import select

from server.errors import RetryLater
from server.extensions import db, queue
from server.models import Delivery, Entry, OutboxEvent, SubscriptionConsent, User
from server.services import entries as entry_service
from server.services import notify, outbox
from server.services.seasons import current_season

from ..factories import make_entry
from ..helpers import auth_header, login
from .chat import Chat

TEMPLATE = "sbx-tmpl-entry-submitted"


def submitted_entry(client) -> Chat:
    """The demo participant, logged in, with a submitted entry (made by the factory, submitted by
    the service: the dialogue that leads there is tested in test_dialogue_flow.py)."""
    chat = Chat(client, "demo-participant")
    user = db.session.get(User, chat.user["id"])
    entry_service.submit(user, make_entry(user, complete=True, season=current_season()))
    db.session.commit()
    return chat


def test_consents_are_counted_and_unknown_templates_refused(client, seeded):
    h = auth_header(login(client, "demo-participant")["token"])
    res = client.post("/api/v1/subscriptions", json={"template_ids": [TEMPLATE, TEMPLATE]}, headers=h)
    assert res.status_code == 200 and res.get_json()["consents"] == {"entry_submitted": 2}
    res = client.post("/api/v1/subscriptions", json={"template_ids": ["forged-id"]}, headers=h)
    assert res.status_code == 400 and "forged-id" in res.get_json()["error"]["message"]
    assert client.post("/api/v1/subscriptions", json={"template_ids": []}, headers=h).status_code == 400
    assert db.session.scalar(select(SubscriptionConsent.remaining)) == 2


def test_consent_is_always_for_the_caller_never_for_another_openid(client, seeded):
    h = auth_header(login(client, "demo-participant")["token"])
    res = client.post("/api/v1/subscriptions", json={"template_ids": [TEMPLATE], "openid": "o-someone-else"},
                      headers=h)
    assert res.status_code == 400 and res.get_json()["error"]["field"] == "openid"
    assert "openid" in res.get_json()["error"]["message"]
    assert db.session.scalar(select(SubscriptionConsent)) is None          # nothing recorded


def test_submission_writes_the_event_in_its_transaction_and_the_relay_queues_it_once(client, seeded):
    submitted_entry(client)
    event = db.session.scalar(select(OutboxEvent))
    assert event.kind == "entry_submitted" and event.payload["entry_id"] == db.session.scalar(select(Entry.id))
    assert outbox.relay() == 1 and outbox.relay() == 0
    assert queue("default").count == 1


def test_redis_outage_delays_but_loses_nothing(client, seeded, monkeypatch):
    def down(*a, **k):
        raise RedisConnectionError("redis is down")
    monkeypatch.setattr("rq.queue.Queue.enqueue", down)
    submitted_entry(client)                       # the submission itself succeeds
    assert outbox.relay() == 0
    assert db.session.scalar(select(OutboxEvent.relayed_at)) is None
    monkeypatch.undo()
    assert outbox.relay() == 1


def test_an_event_whose_job_redis_lost_is_relayed_again_until_handled(client, seeded, monkeypatch, wx):
    from datetime import timedelta

    from server.timeutil import utcnow
    submitted_entry(client)
    assert outbox.relay() == 1
    queue("default").connection.flushdb()          # Redis restarted without its data
    assert outbox.relay() == 0                     # too soon to call the job lost
    later = utcnow() + outbox.LOST_AFTER + timedelta(seconds=1)
    monkeypatch.setattr(outbox, "utcnow", lambda: later)
    assert outbox.relay() == 1 and outbox.relay() == 0          # queued again, once
    job = queue("default").jobs[0]
    assert job.id == f"outbox-{db.session.scalar(select(OutboxEvent.id))}"
    notify.handle_event(*job.args)
    assert db.session.scalar(select(OutboxEvent.handled_at)) is not None
    queue("default").connection.flushdb()
    monkeypatch.setattr(outbox, "utcnow", lambda: later + 2 * outbox.LOST_AFTER)
    assert outbox.relay() == 0                     # handled: never again
    assert db.session.query(Delivery).count() == 1


def test_subscribe_message_when_consent_left_at_most_once(client, seeded, wx):
    chat = submitted_entry(client)
    client.post("/api/v1/subscriptions", json={"template_ids": [TEMPLATE]}, headers=chat.headers)
    event_id = db.session.scalar(select(OutboxEvent.id))
    notify.handle_event(event_id)
    notify.handle_event(event_id)                 # the job ran twice
    sends = wx.calls("subscribe_send")
    assert len(sends) == 1 and sends[0]["data"]["template_id"] == TEMPLATE
    assert sends[0]["data"]["data"]["thing1"]["value"] == "皮带输送机自动纠偏装置"
    assert db.session.scalar(select(SubscriptionConsent.remaining)) == 0
    assert db.session.scalar(select(Delivery.status)) == "sent"


def test_no_consent_and_no_recent_chat_is_undeliverable(client, seeded, wx):
    submitted_entry(client)
    notify.handle_event(db.session.scalar(select(OutboxEvent.id)))
    assert db.session.scalar(select(Delivery.status)) == "undeliverable"
    assert wx.calls("subscribe_send") == [] and wx.calls("custom_send") == []


def test_refused_consent_falls_back_and_busy_wechat_is_retried(client, seeded, wx):
    chat = submitted_entry(client)
    client.post("/api/v1/subscriptions", json={"template_ids": [TEMPLATE]}, headers=chat.headers)
    wx.fault("subscribe_send", -1)
    with pytest.raises(RetryLater):
        notify.handle_event(db.session.scalar(select(OutboxEvent.id)))
    assert db.session.scalar(select(SubscriptionConsent.remaining)) == 1     # given back
    wx.fault("subscribe_send", 43101)
    notify.handle_event(db.session.scalar(select(OutboxEvent.id)))
    assert db.session.scalar(select(Delivery.status)) == "undeliverable"
    assert db.session.scalar(select(SubscriptionConsent.remaining)) == 0


def test_long_titles_are_cut_to_wechat_limits():
    data = notify.render_data("entry_submitted", {"title": "很" * 40, "submitted_at": "2026-11-23 10:00"})
    assert len(data["thing1"]["value"]) == 20 and data["thing1"]["value"].endswith("…")


def test_customer_service_message_when_the_user_wrote_in_the_last_48_hours(client, seeded, wx):
    import time

    from server.wechat.sandbox import openid_for_code

    from ..wechat_push import push_args, xml_text
    args, body = push_args(xml_text(openid_for_code("demo-participant"), "查看", 777, int(time.time())))
    client.post("/wechat/callback", query_string=args, data=body, content_type="text/xml")
    submitted_entry(client)
    notify.handle_event(db.session.scalar(select(OutboxEvent.id)))
    delivery = db.session.scalar(select(Delivery))
    assert (delivery.status, delivery.channel) == ("sent", "custom")
    assert "申报提交成功通知" in wx.calls("custom_send")[-1]["data"]["text"]["content"]


def test_a_send_that_may_have_arrived_is_not_sent_again(client, seeded, wx):
    chat = submitted_entry(client)
    client.post("/api/v1/subscriptions", json={"template_ids": [TEMPLATE, TEMPLATE]}, headers=chat.headers)
    wx.fault("subscribe_send", None, delay=3)          # past the 2 s client timeout: outcome unknown
    notify.handle_event(db.session.scalar(select(OutboxEvent.id)))
    assert db.session.scalar(select(Delivery.status)) == "unknown"
    notify.handle_event(db.session.scalar(select(OutboxEvent.id)))
    assert len(wx.calls("subscribe_send")) == 1
