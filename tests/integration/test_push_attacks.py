"""/wechat/callback under attack and in WeChat's other formats (issue 13, items 1, 2, 6, 8–11):
replayed plaintext nonces, DTDs inside encrypted bodies, long openids, stale URL checks,
absurd CreateTimes, events of one second, the JSON push format, and system events."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from server.extensions import db, redis_client
from server.models import InboundMessage, OutboundMessage, SubscriptionConsent, User
from server.services import chat
from server.wechat.sandbox import openid_for_code

from ..wechat_push import json_push, push_args, sign, xml_event, xml_text

OPENID = openid_for_code("demo-participant")


def send(client, args, body, content_type="text/xml"):
    return client.post("/wechat/callback", query_string=args, data=body, content_type=content_type)


def count(model=InboundMessage):
    return db.session.scalar(select(func.count()).select_from(model))


# -- 1. replayed plaintext nonces -------------------------------------------------------------
@pytest.mark.parametrize("second", ["other_body", "other_sender", "same_body"])
def test_a_plaintext_nonce_carries_one_body(client, ctx, second):
    first = xml_text(OPENID, "申报", msg_id=100)
    args, body = push_args(first)
    assert send(client, args, body).status_code == 200
    replay = {"other_body": xml_text(OPENID, "放弃", msg_id=101),
              "other_sender": xml_text("o-attacker-chosen", "申报", msg_id=102),
              "same_body": first}[second]
    res = send(client, args, replay)
    if second == "same_body":                 # WeChat's own retry: accepted, deduplicated
        assert res.status_code == 200 and count() == 1
    else:
        assert res.status_code == 403 and res.get_data(as_text=True) == "nonce already used"
        assert count() == 1


def test_the_nonce_is_remembered_in_redis_for_the_whole_window(client, ctx):
    """Shared by every web process: the mark is in Redis, expiring after both sides of the
    timestamp window."""
    args, body = push_args(xml_text(OPENID, "申报", msg_id=110))
    assert send(client, args, body).status_code == 200
    keys = redis_client().keys("wechat:nonce:*")
    assert len(keys) == 1 and 300 < redis_client().ttl(keys[0]) <= 600


def test_a_plaintext_push_is_refused_503_when_the_nonce_store_is_down(client, ctx, monkeypatch):
    from redis.exceptions import ConnectionError as RedisDown
    from server.services import inbound

    class Down:
        def set(self, *a, **k):
            raise RedisDown("down")
    monkeypatch.setattr(inbound, "redis_client", lambda: Down())
    args, body = push_args(xml_text(OPENID, "申报", msg_id=120))
    assert send(client, args, body).status_code == 503 and count() == 0


# -- 2. a DTD inside an encrypted body --------------------------------------------------------
_VALID = ("<xml><ToUserName>gh</ToUserName><FromUserName>o-dtd</FromUserName><CreateTime>{now}</CreateTime>"
          "<MsgType>text</MsgType><Content>{content}</Content><MsgId>77</MsgId></xml>")
DTDS = [   # otherwise valid messages: before decryption was checked, each was accepted
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "申报"><!ENTITY b "&a;&a;&a;">]>' + _VALID.replace("{content}", "&b;"),
    '<!DOCTYPE xml [<!ENTITY a "放弃">]>' + _VALID.replace("{content}", "&a;"),
    '<!doctype xml>' + _VALID.replace("{content}", "申报"),
    '<!DOCTYPE xml SYSTEM "file:///etc/hostname">' + _VALID.replace("{content}", "申报"),
]


@pytest.mark.parametrize("inner", DTDS)
def test_a_dtd_inside_an_encrypted_body_is_refused(client, ctx, inner):
    args, body = push_args(inner.replace("{now}", str(int(time.time()))), aes=True)
    res = send(client, args, body)
    assert res.status_code == 400 and res.get_data(as_text=True) == "DTD not allowed"
    assert count() == 0


# -- 6 and 8. fields that must not be cut or overflow -----------------------------------------
@pytest.mark.parametrize("openid,status", [("o" * 64, 200), ("o" * 65, 400), ("o" * 500, 400)])
def test_an_openid_longer_than_64_is_refused_not_cut(client, ctx, openid, status):
    args, body = push_args(xml_text(openid, "你好", msg_id=200))
    assert send(client, args, body).status_code == status
    assert db.session.scalars(select(InboundMessage.openid)).all() == ([openid] if status == 200 else [])


@pytest.mark.parametrize("create_time", ["99999999999999999999", "-5", "0", "1e5", "4102444800"])
def test_an_absurd_create_time_is_refused(client, ctx, create_time):
    xml = xml_text(OPENID, "你好", msg_id=210).replace(
        xml_text(OPENID, "你好", msg_id=210).split("<CreateTime>")[1].split("</CreateTime>")[0], create_time)
    args, body = push_args(xml)
    assert send(client, args, body).status_code == 400 and count() == 0


@pytest.mark.parametrize("age,status", [(0, 200), (-200, 200), (-301, 403), (-30 * 86400, 403), (3600, 403)])
def test_the_url_check_refuses_stale_timestamps(client, ctx, age, status):
    ts, nonce = str(int(time.time()) + age), "urlcheck"
    res = client.get("/wechat/callback", query_string={"signature": sign(ts, nonce), "timestamp": ts,
                                                        "nonce": nonce, "echostr": "e123"})
    assert res.status_code == status
    assert (res.get_data(as_text=True) == "e123") == (status == 200)


# -- 9. events of one sender in one second ----------------------------------------------------
def test_events_of_one_second_are_told_apart_by_their_kind(client, ctx):
    now = int(time.time())
    for event in ("subscribe_msg_popup_event", "user_enter_tempsession", "user_enter_tempsession"):
        args, body = push_args(xml_event(OPENID, event, now))
        assert send(client, args, body).status_code == 200
    assert sorted(db.session.scalars(select(InboundMessage.event))) == \
        ["subscribe_msg_popup_event", "user_enter_tempsession"]


# -- 10. the JSON push format -----------------------------------------------------------------
JSON_CASES = {
    "text": (lambda now: json_push(OPENID, now, "text", Content="申报", MsgId=23456789012345678), "text", "申报"),
    "voice": (lambda now: json_push(OPENID, now, "voice", Recognition="帮助", MediaId="m1", MsgId=301), "voice", "帮助"),
    "image": (lambda now: json_push(OPENID, now, "image", PicUrl="http://x.invalid/p", MediaId="m2", MsgId=302), "image", None),
    "event": (lambda now: json_push(OPENID, now, "event", Event="user_enter_tempsession", SessionFrom=""), "event", None),
}


@pytest.mark.parametrize("aes", [False, True])
@pytest.mark.parametrize("kind", sorted(JSON_CASES))
def test_json_pushes_are_accepted_like_xml(client, ctx, kind, aes):
    make, msg_type, content = JSON_CASES[kind]
    now = int(time.time())
    body_json = make(now)
    for _ in range(2):                                  # WeChat's retry: deduplicated
        args, body = push_args(body_json, aes=aes)
        res = send(client, args, body, content_type="application/json")
        assert res.status_code == 200 and res.get_data(as_text=True) == "success"
    row = db.session.scalar(select(InboundMessage))
    assert count() == 1 and (row.openid, row.msg_type, row.content) == (OPENID, msg_type, content)


@pytest.mark.parametrize("body", ['{"FromUserName": ["o"], "MsgType": "text", "CreateTime": 1}',
                                  '{"FromUserName": "o", "MsgType": "text", "CreateTime": NaN}',
                                  '{"a": ' + '[' * 60000, '{"Encrypt": 5}', "{"])
def test_malformed_json_pushes_are_refused(client, ctx, body):
    args, _ = push_args("x")
    assert send(client, args, body).status_code == 400
    args, _ = push_args("x")
    args.update(encrypt_type="aes", msg_signature="0" * 40)
    assert send(client, args, body).status_code in (400, 403) and count() == 0


def test_one_message_in_xml_then_json_is_recorded_once(client, ctx):
    now = int(time.time())
    for body in (xml_text(OPENID, "申报", msg_id=400, create_time=now),
                 json_push(OPENID, now, "text", Content="申报", MsgId=400)):
        args, signed = push_args(body)
        assert send(client, args, signed).status_code == 200
    assert count() == 1


# -- 11. system events ------------------------------------------------------------------------
SYSTEM_EVENTS = ["subscribe_msg_sent_event", "subscribe_msg_change_event", "subscribe_msg_popup_event",
                 "unsubscribe", "subscribe", "TEMPLATESENDJOBFINISH", "MASSSENDJOBFINISH",
                 "wxa_media_check", "LOCATION", "user_get_card", "user_del_card", "user_consume_card",
                 "card_pass_check", "submit_invoice_title", "user_authorize_invoice", "update_invoice_status",
                 "weapp_audit_success", "add_express_path", "VIEW", "CLICK", "scancode_push"]


@pytest.mark.parametrize("event", SYSTEM_EVENTS)
@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_system_events_are_recorded_answered_with_nothing_and_open_no_window(client, seeded, wx, event, fmt):
    openid = "o-system-events-only"
    now = int(time.time())
    body = xml_event(openid, event, now) if fmt == "xml" else json_push(openid, now, "event", Event=event)
    args, signed = push_args(body)
    assert send(client, args, signed).status_code == 200
    assert chat.handle_pending(openid) == 1
    row = db.session.scalar(select(InboundMessage))
    assert (row.event, row.outcome) == (event, "recorded") and row.processed_at is not None
    assert count(OutboundMessage) == 0 and wx.calls("custom_send") == []
    assert chat.window_allows(openid) == 0           # only the user's own doing opens the window


def test_a_system_event_after_a_message_does_not_extend_the_window(client, seeded, wx):
    from datetime import timedelta
    from server.timeutil import utcnow
    db.session.add(InboundMessage(msg_key="old", openid=OPENID, msg_type="text", content="申报",
                                  sent_at=utcnow() - timedelta(hours=47), processed_at=utcnow(), outcome="answered"))
    db.session.commit()
    assert chat.window_allows(OPENID) == 5
    args, signed = push_args(xml_event(OPENID, "subscribe_msg_sent_event", int(time.time())))
    send(client, args, signed)
    chat.handle_pending(OPENID)
    last = db.session.scalar(select(func.max(InboundMessage.sent_at)).where(InboundMessage.openid == OPENID,
                                                                             chat._user_acted()))
    assert utcnow() - last > timedelta(hours=46)


POPUP_XML = ("<xml><ToUserName>gh</ToUserName><FromUserName>{openid}</FromUserName><CreateTime>{now}</CreateTime>"
             "<MsgType>event</MsgType><Event>subscribe_msg_popup_event</Event><SubscribeMsgPopupEvent>"
             "<List><TemplateId>sbx-tmpl-entry-submitted</TemplateId><SubscribeStatusString>accept</SubscribeStatusString>"
             "<PopupScene>0</PopupScene></List>"
             "<List><TemplateId>sbx-tmpl-draft-unfinished</TemplateId><SubscribeStatusString>reject</SubscribeStatusString>"
             "<PopupScene>0</PopupScene></List>"
             "<List><TemplateId>not-one-of-ours</TemplateId><SubscribeStatusString>accept</SubscribeStatusString>"
             "<PopupScene>0</PopupScene></List></SubscribeMsgPopupEvent></xml>")


def _popup_json(openid, now):
    return json_push(openid, now, "event", Event="subscribe_msg_popup_event", List=[
        {"TemplateId": "sbx-tmpl-entry-submitted", "SubscribeStatusString": "accept", "PopupScene": "0"},
        {"TemplateId": "sbx-tmpl-draft-unfinished", "SubscribeStatusString": "reject", "PopupScene": "0"},
        {"TemplateId": "not-one-of-ours", "SubscribeStatusString": "accept", "PopupScene": "0"}])


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_the_popup_event_records_consents_per_template(client, seeded, wx, fmt):
    now = int(time.time())
    body = POPUP_XML.format(openid=OPENID, now=now) if fmt == "xml" else _popup_json(OPENID, now)
    for _ in range(2):                                   # a retry counts once
        args, signed = push_args(body)
        assert send(client, args, signed).status_code == 200
    chat.handle_pending(OPENID)
    user = db.session.scalar(select(User).where(User.openid == OPENID))
    consents = {c.template: (c.remaining, c.last_choice) for c in db.session.scalars(
        select(SubscriptionConsent).where(SubscriptionConsent.user_id == user.id))}
    assert consents == {"entry_submitted": (1, "accept"), "draft_unfinished": (0, "reject")}
    assert wx.calls("custom_send") == []
