"""Signed pushes over real HTTP to gunicorn, WeChat's retries included, answered by a real RQ
worker on Redis through the sandbox's customer-service API, in the order they were sent."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest
import requests
from sqlalchemy import func, select

from server.extensions import db, queue, redis_client
from server.models import InboundMessage, OutboundMessage
from server.timeutil import utcnow
from server.wechat.sandbox import openid_for_code

from ..wechat_push import push_args, xml_text
from .processes import Gunicorn, start, stop

OPENID = openid_for_code("demo-participant")


@pytest.fixture(scope="module")
def web(app):
    server = Gunicorn(workers=2)
    yield server
    server.stop()


def push(web, xml, aes=False):
    args, body = push_args(xml, aes=aes)
    began = time.perf_counter()
    res = requests.post(f"{web.url}/wechat/callback", params=args, data=body.encode(), timeout=10,
                        headers={"Content-Type": "text/xml"})
    return res, time.perf_counter() - began


def test_pushes_with_retries_answered_once_in_order_by_the_worker(web, seeded, wx):
    now = int(time.time())
    for i, text in enumerate(["申报", "2", "煤炭"]):
        xml = xml_text(OPENID, text, msg_id=9000 + i, create_time=now + i)
        for attempt in range(2):                        # WeChat retried each one
            res, took = push(web, xml, aes=(i == 1))
            assert res.status_code == 200 and res.text == "success"
            assert took < 1.0
    assert db.session.scalar(select(func.count()).select_from(InboundMessage)) == 3
    worker = start("-m", "workers.worker", "--burst", "high")
    assert worker.wait(90) == 0
    texts = [c["data"]["text"]["content"] for c in wx.calls("custom_send")]
    # One job answered the three in order; the user gets the answer to the latest one (the
    # replies to 申报 and 2 were superseded before they were sent).
    assert len(texts) == 1 and "项目名称" in texts[0], texts
    db.session.expire_all()
    assert [r.status for r in db.session.scalars(select(OutboundMessage).order_by(OutboundMessage.id))] == \
        ["superseded"] * 3 + ["sent"]


def test_a_running_worker_answers_a_push_within_seconds(web, seeded, wx):
    """No burst here: the worker's dispatcher thread turns the push into a job as it arrives."""
    worker = start("-m", "workers.worker", "high")
    try:
        time.sleep(1)
        res, _ = push(web, xml_text(OPENID, "申报", msg_id=9150))
        assert res.status_code == 200
        sent_at = time.time()
        while time.time() - sent_at < 20 and not wx.calls("custom_send"):
            time.sleep(0.1)
        assert wx.calls("custom_send"), "no reply within 20 s"
        assert wx.calls("custom_send")[0]["data"]["touser"] == OPENID
        assert worker.poll() is None
    finally:
        stop(worker)
    assert redis_client().llen("chat:ready") == 0


def test_a_push_recorded_while_no_job_was_queued_is_swept(web, seeded, wx, app):
    # Simulate Redis losing everything after the row was recorded, before a worker ran.
    res, _ = push(web, xml_text(OPENID, "申报", msg_id=9100))
    assert res.status_code == 200
    with app.app_context():
        redis_client().flushdb()               # the announcement and any job: all gone
    row = db.session.scalar(select(InboundMessage))
    row.received_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    with app.app_context():
        queue("low").enqueue("workers.chat.sweep_unanswered")
    assert start("-m", "workers.worker", "--burst", "low", "high").wait(90) == 0
    db.session.expire_all()
    assert db.session.scalar(select(InboundMessage.outcome)) == "answered"
    assert wx.calls("custom_send")
