"""Redis stops in the middle of submissions, then comes back empty. Submitting goes on working
(the outbox rows are in the database), and once Redis is back every submission is announced
exactly once — with gunicorn, the RQ worker and its scheduler running for real."""
from __future__ import annotations

import os
import time
from collections import Counter

import pytest
import requests
from sqlalchemy import select

from server.extensions import db
from server.models import Delivery, OutboxEvent
from server.wechat.sandbox import openid_for_code

from ..integration.chat import Chat, answer_until_confirm
from ..wechat_push import push_args, xml_text
from .processes import Gunicorn, HttpClient, RedisServer, start, stop

TEMPLATE = "sbx-tmpl-entry-submitted"
OPENID = openid_for_code("demo-participant")
BEFORE, DURING = 2, 3


@pytest.fixture()
def stack(app, seeded):
    redis = RedisServer()
    env = {**os.environ, "REDIS_URL": redis.url, "WORKER_MAINTENANCE_SECONDS": "2"}
    web = Gunicorn(workers=2, env=env)
    worker = start("-m", "workers.worker", env=env)
    yield redis, web, worker, env
    stop(worker)
    web.stop()
    redis.kill()


def submit(chat: Chat) -> int:
    chat.say("申报")
    answer_until_confirm(chat)
    chat.say("提交")
    assert chat.last["state"]["done"], chat.text()
    return chat.last["entry_id"]


def wait_for(predicate, timeout: float) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        db.session.expire_all()
        if predicate():
            return True
        time.sleep(0.3)
    return False


def sent_per_event() -> Counter:
    rows = db.session.scalars(select(Delivery).where(Delivery.status == "sent"))
    return Counter(d.dedupe_key.split(":user:")[0] for d in rows)


def test_submissions_during_a_redis_outage_are_all_announced_once(stack, wx):
    redis, web, worker, env = stack
    chat = Chat(HttpClient(web.url), "demo-participant")
    res = chat.client.post("/api/v1/subscriptions", json={"template_ids": [TEMPLATE] * (BEFORE + DURING)},
                           headers=chat.headers)
    assert res.status_code == 200, res.get_json()

    for _ in range(BEFORE):
        submit(chat)
    assert wait_for(lambda: sum(sent_per_event().values()) == BEFORE, 30), sent_per_event()

    redis.kill()
    for _ in range(DURING):                 # the worker has nobody to talk to; people go on submitting
        submit(chat)
    db.session.expire_all()
    assert db.session.query(OutboxEvent).count() == BEFORE + DURING
    assert sum(sent_per_event().values()) == BEFORE

    redis.start()                          # back, with none of its data: no jobs, no schedule
    assert wait_for(lambda: sum(sent_per_event().values()) == BEFORE + DURING, 60), sent_per_event()
    time.sleep(3)                          # a few more relay rounds: nothing is sent twice
    db.session.expire_all()
    per_event = sent_per_event()
    assert len(per_event) == BEFORE + DURING and set(per_event.values()) == {1}, per_event
    assert len(wx.calls("subscribe_send")) == BEFORE + DURING
    assert worker.poll() is None           # the worker rode out the outage

    # and so did its chat dispatcher: a message pushed now is answered within seconds
    args, body = push_args(xml_text(OPENID, "帮助", msg_id=77001))
    assert requests.post(f"{web.url}/wechat/callback", params=args, data=body.encode(), timeout=10).text == "success"
    assert wait_for(lambda: any(c["data"]["touser"] == OPENID for c in wx.calls("custom_send")), 20)
