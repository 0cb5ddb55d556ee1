"""Customer-service replies under faults and bursts (issue 13, items 3 and 4): a reply is
claimed before it is sent (a crash leaves it "maybe sent", never resent), a user's lock does
not outlive a dead worker by more than a few seconds, and after a burst the user gets the
answer to their latest message within WeChat's five."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from server.extensions import db, redis_client
from server.models import InboundMessage, OutboundMessage
from server.services import chat, chat_lock
from server.wechat.sandbox import openid_for_code

from ..wechat_push import push_args, xml_text

OPENID = openid_for_code("demo-participant")


def post(client, xml):
    args, body = push_args(xml)
    return client.post("/wechat/callback", query_string=args, data=body, content_type="text/xml")


def sent_texts(wx) -> list[str]:
    return [c["data"]["text"]["content"] for c in wx.calls("custom_send") if not c["fault"]]


def statuses() -> list[str]:
    db.session.expire_all()
    return [r.status for r in db.session.scalars(select(OutboundMessage).order_by(OutboundMessage.id))]


class Killed(BaseException):
    """What a SIGKILL looks like from inside: nothing after this line runs."""


def test_a_crash_during_a_send_never_sends_it_again(client, seeded, wx, monkeypatch):
    post(client, xml_text(OPENID, "申报", msg_id=1))
    gateway = chat.gateway()
    real = gateway.send_text
    calls = []

    def send_then_die(openid, text):
        calls.append(text)
        real(openid, text)                   # WeChat got it ...
        raise Killed()                       # ... and the worker died before recording it
    monkeypatch.setattr(type(gateway), "send_text", lambda self, o, t: send_then_die(o, t))
    with pytest.raises(Killed):
        chat.handle_pending(OPENID)
    db.session.rollback()
    monkeypatch.undo()
    assert statuses()[0] == "sending"        # maybe sent: claimed and committed before the call
    chat.handle_pending(OPENID)              # RQ's retry, or the next message's job
    texts = sent_texts(wx)
    assert texts.count(calls[0]) == 1, texts  # never twice
    assert statuses() == ["sending", "sent"]
    assert chat.window_allows(OPENID) == 3   # the maybe-sent one counts against the five


def test_a_read_timeout_marks_the_reply_unknown_and_never_resends_it(client, seeded, wx):
    wx.fault("custom_send", delay=3, times=1)           # WECHAT_TIMEOUT is 2 s in tests
    post(client, xml_text(OPENID, "申报", msg_id=2))
    chat.handle_pending(OPENID)
    assert statuses() == ["unknown", "sent"]
    chat.handle_pending(OPENID)
    assert len(wx.calls("custom_send")) == 2


def test_the_user_lock_of_a_dead_worker_expires_within_seconds(ctx):
    held = chat_lock.UserLock(OPENID)
    assert held.lock.acquire()                # taken by a worker that is then killed: no renewal
    ttl = redis_client().pttl(chat_lock.lock_key(OPENID))
    assert 0 < ttl <= chat_lock.TTL * 1000 <= 10_000
    began = time.monotonic()
    with chat_lock.UserLock(OPENID, wait=chat_lock.TTL + 5):   # the next job gets it once it lapses
        waited = time.monotonic() - began
    assert waited <= chat_lock.TTL + 1


def test_a_live_holder_keeps_its_lock_by_renewing_it(ctx):
    with chat_lock.UserLock(OPENID, ttl=30) as mine:
        redis_client().pexpire(chat_lock.lock_key(OPENID), 500)       # about to lapse ...
        assert mine.renew_once()                                       # ... the renewer puts it back
        assert redis_client().pttl(chat_lock.lock_key(OPENID)) > 20_000
        assert mine._thread.is_alive()
    assert redis_client().get(chat_lock.lock_key(OPENID)) is None      # released on exit


def test_after_a_burst_the_user_gets_the_answer_to_the_latest_message(client, seeded, wx):
    now = int(time.time())
    post(client, xml_text(OPENID, "申报", msg_id=10, create_time=now))
    chat.handle_pending(OPENID)
    first = len(sent_texts(wx))
    long = "很长的名称" * 100
    for i in range(50):                                   # 50 messages in a burst
        post(client, xml_text(OPENID, "2" if i == 0 else long, msg_id=100 + i, create_time=now + 1 + i))
    chat.handle_pending(OPENID)
    burst = sent_texts(wx)[first:]
    assert 1 <= len(burst) <= 5, burst
    assert "行业" in burst[-1]                            # the current question, once
    # the user's next valid answer is followed by its own question, not by old complaints
    post(client, xml_text(OPENID, "煤炭", msg_id=500, create_time=now + 60))
    chat.handle_pending(OPENID)
    after = sent_texts(wx)[first + len(burst):]
    assert len(after) == 1 and "项目名称" in after[0], after
    assert "waiting" not in statuses() and "pending" not in statuses()


@pytest.mark.parametrize("waiting_from,expected", [
    ("older_turn", "superseded"),       # an answer to an earlier message: dropped
    ("notification", "sent"),           # not a turn's reply (a notification): kept
])
def test_what_waits_is_superseded_only_when_it_answered_an_older_turn(client, seeded, wx, waiting_from, expected):
    post(client, xml_text(OPENID, "申报", msg_id=20))
    chat.handle_pending(OPENID)
    old = db.session.scalar(select(InboundMessage))
    db.session.add(OutboundMessage(openid=OPENID, text="等待中的旧消息", status="waiting",
                                   inbound_id=old.id if waiting_from == "older_turn" else None))
    db.session.commit()
    post(client, xml_text(OPENID, "帮助", msg_id=21, create_time=int(time.time()) + 1))
    chat.handle_pending(OPENID)
    row = db.session.scalar(select(OutboundMessage).where(OutboundMessage.text == "等待中的旧消息"))
    assert row.status == expected
