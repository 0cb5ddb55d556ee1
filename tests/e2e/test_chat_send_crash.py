"""Issue 13, item 3, as reported: the sandbox's custom_send delayed, the job's process killed
mid-send. The reply must not arrive a second time, and the next job for that user must not
wait behind the dead process's lock for more than a few seconds."""
from __future__ import annotations

import os
import signal
import time

from sqlalchemy import select

from server.models import OutboundMessage
from server.extensions import db
from server.services import chat, chat_lock
from server.wechat.sandbox import openid_for_code

from ..wechat_push import push_args, xml_text
from .processes import start

OPENID = openid_for_code("demo-participant")
CHILD = f"from workers.chat import process_user; process_user({OPENID!r})"


def wait_for(predicate, timeout: float) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_killed_mid_send_the_reply_is_not_resent_and_the_user_is_not_blocked(client, seeded, wx):
    args, body = push_args(xml_text(OPENID, "申报", msg_id=1))
    assert client.post("/wechat/callback", query_string=args, data=body, content_type="text/xml").status_code == 200
    wx.fault("custom_send", delay=1.5, times=None)       # under WECHAT_TIMEOUT: the call is in flight
    child = start("-c", CHILD)
    try:
        assert wait_for(lambda: wx.calls("custom_send"), 60), "the job never reached the send"
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
    killed_at = time.monotonic()
    wx.reset()
    chat.handle_pending(OPENID)                          # the next job for this user
    assert time.monotonic() - killed_at <= chat_lock.TTL + 2
    db.session.expire_all()
    rows = db.session.scalars(select(OutboundMessage).order_by(OutboundMessage.id)).all()
    assert rows[0].status == "sending"                   # maybe sent: left alone
    delivered = [c["data"]["text"]["content"] for c in wx.calls("custom_send") if c["errcode"] == 0]
    assert delivered == [r.text for r in rows[1:]]
