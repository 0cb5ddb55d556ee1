"""/wechat/callback: signatures, secure mode, dedupe of WeChat's retries, bad input; and the
job that answers through the customer-service API, run here inline (the worker runs it in
tests/e2e/test_wechat_worker.py)."""
from __future__ import annotations

import io
import time

import pytest
from PIL import Image
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from server.extensions import db, redis_client
from server.models import Entry, InboundMessage, OutboundMessage
from server.errors import RetryLater
from server.services import chat, inbound
from server.wechat.sandbox import openid_for_code

from ..wechat_push import push_args, sign, xml_event, xml_image, xml_text

OPENID = openid_for_code("demo-participant")


def post(client, xml, **kw):
    args, body = push_args(xml, **kw)
    return client.post("/wechat/callback", query_string=args, data=body, content_type="text/xml")


def rows(model):
    return db.session.scalar(select(func.count()).select_from(model))


def sent_texts(wx) -> list[str]:
    return [c["data"]["text"]["content"] for c in wx.calls("custom_send") if not c["fault"]]


def test_url_check(client, ctx):
    ts, nonce = str(int(time.time())), "abc"
    res = client.get("/wechat/callback", query_string={"signature": sign(ts, nonce), "timestamp": ts,
                                                        "nonce": nonce, "echostr": "hello123"})
    assert res.status_code == 200 and res.get_data(as_text=True) == "hello123"
    bad = client.get("/wechat/callback", query_string={"signature": "x", "timestamp": ts, "nonce": nonce, "echostr": "e"})
    assert bad.status_code == 403


@pytest.mark.parametrize("aes", [False, True])
def test_push_is_recorded_once_however_often_wechat_retries(client, ctx, aes):
    xml = xml_text(OPENID, "申报", msg_id=1001)
    for _ in range(4):                                   # the first try and three retries
        res = post(client, xml, aes=aes)
        assert res.status_code == 200 and res.get_data(as_text=True) == "success"
    assert rows(InboundMessage) == 1
    assert db.session.scalar(select(InboundMessage.content)) == "申报"
    redis_client().flushdb()                             # even without the fast path, the row key holds
    assert post(client, xml, aes=aes).status_code == 200 and rows(InboundMessage) == 1


def test_events_are_deduplicated_by_sender_and_time(client, ctx):
    now = int(time.time())
    post(client, xml_event(OPENID, "user_enter_tempsession", now))
    post(client, xml_event(OPENID, "user_enter_tempsession", now))
    post(client, xml_event(OPENID, "user_enter_tempsession", now + 1))
    assert rows(InboundMessage) == 2


def test_a_database_failure_is_not_answered_success_and_the_retry_is_kept(client, ctx):
    """WeChat retries a push that was not answered `success`; the retry must be recorded, not
    mistaken for a duplicate of the try that failed."""
    xml = xml_text(OPENID, "申报", msg_id=1501)
    failures = []

    def fail_first_insert(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("INSERT INTO inbound_messages") and not failures:
            failures.append(statement)
            raise OperationalError(statement, parameters, Exception("database went away"))

    event.listen(db.engine, "before_cursor_execute", fail_first_insert)
    try:
        first = post(client, xml)
        retry = post(client, xml)
    finally:
        event.remove(db.engine, "before_cursor_execute", fail_first_insert)
    assert failures and first.status_code == 503 and first.get_data(as_text=True) != "success"
    assert retry.status_code == 200 and retry.get_data(as_text=True) == "success"
    assert db.session.scalars(select(InboundMessage.content)).all() == ["申报"]
    assert redis_client().lrange(inbound.READY, 0, -1) == [OPENID.encode()]   # announced once


@pytest.mark.parametrize("case", ["bad_signature", "stale", "future", "bad_aes", "not_xml", "dtd", "huge", "no_fields", "binary",
                                  "wrong_root", "undeclared_entity"])
def test_bad_pushes_are_rejected_without_a_500(client, ctx, case):
    xml = xml_text(OPENID, "你好", msg_id=2002)
    args, body = push_args(xml)
    if case == "bad_signature":
        args["signature"] = "0" * 40
    elif case in ("stale", "future"):
        args, body = push_args(xml, timestamp=int(time.time()) + (-3600 if case == "stale" else 3600))
    elif case == "bad_aes":
        args, body = push_args(xml, aes=True)
        args["msg_signature"] = "0" * 40
    elif case == "not_xml":
        body = "<xml><FromUserName>"
    elif case == "dtd":
        body = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
                '<xml><FromUserName>&lol2;</FromUserName></xml>')
    elif case == "huge":
        body = xml_text(OPENID, "好" * 40000, msg_id=2003)
    elif case == "no_fields":
        body = "<xml><Content>hi</Content></xml>"
    elif case == "binary":
        body = b"\xff\xfe\x00<xml>"
    elif case == "wrong_root":
        body = xml.replace("<xml>", "<note>").replace("</xml>", "</note>")
    elif case == "undeclared_entity":
        body = xml.replace("<![CDATA[你好]]>", "&xxe;")
    res = client.post("/wechat/callback", query_string=args, data=body, content_type="text/xml")
    assert res.status_code in (400, 403, 413), res.status_code
    assert rows(InboundMessage) == 0


def test_the_job_answers_in_order_through_customer_service(client, seeded, wx):
    for i, text in enumerate(["申报", "2", "煤炭"]):
        post(client, xml_text(OPENID, text, msg_id=3000 + i, create_time=int(time.time()) + i))
        assert chat.handle_pending(OPENID) == 1
    texts = sent_texts(wx)
    assert "第一步" in texts[1] and "可回复" in texts[1]                 # options as a reply line
    assert "行业" in texts[2] and "项目名称" in texts[3]
    assert wx.calls("custom_typing")
    entry = db.session.scalar(select(Entry))
    assert (entry.category, entry.industry) == ("equipment", "煤炭")
    assert db.session.scalar(select(func.count()).select_from(InboundMessage).where(InboundMessage.processed_at.is_(None))) == 0
    # the same job run again does nothing more
    assert chat.handle_pending(OPENID) == 0 and len(sent_texts(wx)) == len(texts)


def test_five_messages_in_48_hours_then_the_rest_waits(client, seeded, wx):
    post(client, xml_text(OPENID, "申报", msg_id=4000))
    chat.handle_pending(OPENID)
    post(client, xml_text(OPENID, "查看", msg_id=4001, create_time=int(time.time()) + 1))
    for i in range(5):
        db.session.add(OutboundMessage(openid=OPENID, text=f"额外的通知{i}"))
    db.session.commit()
    chat.handle_pending(OPENID)      # 5 extras + 2 bubbles for 查看: only 5 may go
    statuses = [r.status for r in db.session.scalars(select(OutboundMessage).order_by(OutboundMessage.id))]
    assert statuses == ["sent"] * 2 + ["sent"] * 5 + ["waiting"] * 2, statuses
    # the user writes again: the waiting answer to 查看 is superseded by the answer to 帮助
    post(client, xml_text(OPENID, "帮助", msg_id=4002, create_time=int(time.time()) + 2))
    chat.handle_pending(OPENID)
    statuses = [r.status for r in db.session.scalars(select(OutboundMessage).order_by(OutboundMessage.id))]
    assert statuses == ["sent"] * 7 + ["superseded"] * 2 + ["sent"] * 2, statuses
    assert "【填写说明】" in sent_texts(wx)[-2] and len(sent_texts(wx)) == 9


def test_out_of_window_answer_from_wechat_keeps_the_reply_waiting(client, seeded, wx):
    wx.fault("custom_send", 45015, times=None)
    post(client, xml_text(OPENID, "申报", msg_id=5000))
    chat.handle_pending(OPENID)
    assert {r.status for r in db.session.scalars(select(OutboundMessage))} == {"waiting"}
    assert db.session.get(Entry, db.session.scalar(select(Entry.id))).status == "draft"   # the answer is kept


def test_wechat_unreachable_raises_for_a_retry_and_loses_nothing(client, seeded, wx):
    wx.fault("custom_send", http_status=502, times=1)
    post(client, xml_text(OPENID, "申报", msg_id=6000))
    with pytest.raises(RetryLater):
        chat.handle_pending(OPENID)
    assert rows(Entry) == 1                                              # the turn itself was saved
    chat.handle_pending(OPENID)                                          # RQ's retry
    assert [r.status for r in db.session.scalars(select(OutboundMessage))] == ["sent", "sent"]


def test_image_message_on_the_photo_step(client, seeded, wx):
    from .chat import Chat, walk, ANSWERS
    c = Chat(client, "demo-participant")
    c.say("申报")
    walk(c, ANSWERS)
    assert c.step == "leader.photo"
    buf = io.BytesIO()
    Image.new("RGB", (300, 400), "red").save(buf, format="JPEG")
    media_id = wx.put_media(buf.getvalue())
    post(client, xml_image(OPENID, media_id, msg_id=7000))
    chat.handle_pending(OPENID)
    assert "照片已收到" in sent_texts(wx)[0]
    post(client, xml_image(OPENID, "expired-media", msg_id=7001))
    chat.handle_pending(OPENID)
    assert "没能收到" in sent_texts(wx)[-1]


def test_enter_session_greets_and_resumes(client, seeded, wx):
    from .chat import Chat, walk, ANSWERS
    c = Chat(client, "demo-participant")
    c.say("申报")
    walk(c, ANSWERS[:2])
    post(client, xml_event(OPENID, "user_enter_tempsession", int(time.time())))
    chat.handle_pending(OPENID)
    assert "项目名称" in sent_texts(wx)[0]


def test_unknown_message_types_are_answered_politely(client, seeded, wx):
    xml = xml_text(OPENID, "x", msg_id=8000).replace("[text]", "[location]")
    post(client, xml)
    chat.handle_pending(OPENID)
    assert "只能看懂" in sent_texts(wx)[0]
    assert db.session.scalar(select(InboundMessage.outcome)) == "ignored"


def test_a_burst_from_one_user_needs_one_job(client, seeded, wx):
    from server.extensions import queue
    now = int(time.time())
    for i, text in enumerate(["申报", "2", "煤炭"]):
        post(client, xml_text(OPENID, text, msg_id=9500 + i, create_time=now + i))
        if i == 1:
            assert inbound.dispatch_ready() == 2        # the worker's dispatcher, mid-burst
    assert queue("high").count == 1
    assert inbound.dispatch_ready() == 1 and queue("high").count == 1   # one waiting job answers all three
    assert chat.handle_pending(OPENID) == 3
    post(client, xml_text(OPENID, "帮助", msg_id=9503, create_time=now + 3))
    assert inbound.dispatch_ready() == 1
    assert queue("high").count == 2                     # the marker was cleared by the job
    assert inbound.dispatch_ready() == 0


def test_pushes_from_many_users_are_dispatched_one_job_each(client, ctx):
    from server.extensions import queue
    users = [f"o-many-{n}" for n in range(30)]
    for n, openid in enumerate(users * 2):
        post(client, xml_text(openid, "你好", msg_id=9700 + n))
    assert inbound.dispatch_ready(batch=25) == 25        # a batch at a time
    assert inbound.dispatch_ready(block_seconds=1) == 35
    assert sorted(job.args[0] for job in queue("high").get_jobs()) == sorted(users)


def test_voice_recognition_is_read_as_text(client, seeded, wx):
    xml = (f"<xml><ToUserName>gh</ToUserName><FromUserName>{OPENID}</FromUserName><CreateTime>{int(time.time())}</CreateTime>"
           "<MsgType>voice</MsgType><MediaId>m1</MediaId><Format>amr</Format><Recognition>申报</Recognition>"
           "<MsgId>9600</MsgId></xml>")
    post(client, xml)
    chat.handle_pending(OPENID)
    assert "第一步" in "".join(sent_texts(wx))


def test_long_answers_are_split_into_bubbles():
    from server.dialogue.engine import Reply
    text = "\n".join(f"第{i}行：" + "内容" * 20 for i in range(40))
    parts = chat.bubbles([Reply(text, ["是", "否"])])
    assert len(parts) > 1 and all(len(p) <= chat.CHUNK for p in parts)
    assert "".join(p.replace("\n", "") for p in parts).startswith(text.replace("\n", "")[:500])
    assert parts[-1].endswith("（可回复：是 / 否）")


def test_busy_wechat_is_retried_later_and_nothing_is_sent_twice(client, seeded, wx):
    wx.fault("custom_send", -1, times=1)
    post(client, xml_text(OPENID, "申报", msg_id=9700))
    with pytest.raises(RetryLater):
        chat.handle_pending(OPENID)
    chat.handle_pending(OPENID)
    texts = sent_texts(wx)
    assert len(texts) == 2 and len(set(texts)) == 2


def test_a_bug_does_not_wedge_the_users_queue(client, seeded, wx, monkeypatch):
    post(client, xml_text(OPENID, "申报", msg_id=9800))
    post(client, xml_text(OPENID, "2", msg_id=9801, create_time=int(time.time()) + 1))
    calls = []

    def broken(user, text, after=None):
        calls.append(text)
        if text == "申报":
            raise RuntimeError("bug")
        return real(user, text, after)
    real = chat.dialogue.send_text
    monkeypatch.setattr(chat.dialogue, "send_text", broken)
    assert chat.handle_pending(OPENID) == 2
    outcomes = [r.outcome for r in db.session.scalars(select(InboundMessage).order_by(InboundMessage.id))]
    assert outcomes == ["failed", "answered"] and calls == ["申报", "2"]
    apology = db.session.scalar(select(OutboundMessage).order_by(OutboundMessage.id))
    assert "服务器出了点问题" in apology.text and apology.status == "superseded"   # "2" was answered since
    assert sent_texts(wx)
