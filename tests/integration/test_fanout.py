"""Reminder batches at WeChat's pace (services/fanout.py): many sends in flight, each delivery
at most once, every outcome recorded as the one-at-a-time path records it, and a send-rate cap
that holds across workers (wechat/rate.py)."""
from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
from sqlalchemy import select

from server.errors import RetryLater
from server.extensions import db, redis_client
from server.models import Delivery, SubscriptionConsent, User
from server.services import fanout
from server.wechat.rate import SendRate

VALUES = {"season": "2026年五小竞赛", "deadline": "2026-12-10 23:59"}


def deliveries(n: int, consents: int = 1, per_user: int = 1) -> list[int]:
    ids = []
    for i in range(n):
        user = User(openid=f"o-fan-{i:03d}")
        db.session.add(user)
        db.session.flush()
        db.session.add(SubscriptionConsent(user_id=user.id, template="deadline_reminder", remaining=consents))
        for k in range(per_user):
            d = Delivery(dedupe_key=f"test:{i}:{k}", user_id=user.id, template="deadline_reminder", data=VALUES)
            db.session.add(d)
            db.session.flush()
            ids.append(d.id)
    db.session.commit()
    return ids


def statuses(ids: list[int]) -> Counter:
    return Counter(db.session.scalars(select(Delivery.status).where(Delivery.id.in_(ids))))


@pytest.fixture()
def in_flight(app):
    app.config["REMINDER_SENDS_IN_FLIGHT"] = 8
    yield 8
    app.config["REMINDER_SENDS_IN_FLIGHT"] = 64


def test_a_round_has_all_its_sends_in_flight_and_each_goes_once(ctx, wx, in_flight):
    ids = deliveries(20)
    wx.fault("subscribe_send", None, times=None, delay=0.3)
    assert fanout.deliver_many(ids) == 20
    calls = wx.calls("subscribe_send")
    assert Counter(c["data"]["touser"] for c in calls) == {f"o-fan-{i:03d}": 1 for i in range(20)}
    # sends at once: those begun while one was held (0.3 s): many, never more than one round
    at_once = max(sum(c["at"] <= d["at"] < c["at"] + 0.3 for d in calls) for c in calls)
    assert in_flight // 2 <= at_once <= in_flight, at_once
    assert statuses(ids) == {"sent": 20}
    assert set(db.session.scalars(select(SubscriptionConsent.remaining))) == {0}
    assert fanout.deliver_many(ids) == 0 and len(wx.calls("subscribe_send")) == 20   # a rerun sends nothing


def test_each_outcome_is_recorded_and_a_retry_asked_for_after_the_rest(ctx, wx, in_flight):
    ids = deliveries(6)
    wx.fault("subscribe_send", 45009, times=1)          # busy: give the consent back, try later
    wx.fault("subscribe_send", 43101, times=1)          # consent withdrawn: fall back to the chat
    with pytest.raises(RetryLater):
        fanout.deliver_many(ids)
    assert statuses(ids) == {"sent": 4, "pending": 1, "undeliverable": 1}
    pending = db.session.scalar(select(Delivery).where(Delivery.id.in_(ids), Delivery.status == "pending"))
    assert pending.last_error.startswith("45009") and pending.attempts == 1
    assert db.session.scalar(select(SubscriptionConsent.remaining).where(
        SubscriptionConsent.user_id == pending.user_id)) == 1
    assert fanout.deliver_many(ids) == 1                 # the retry sends only that one
    assert statuses(ids) == {"sent": 5, "undeliverable": 1}


@pytest.mark.parametrize("consents,sent", [(2, 2), (1, 1)])
def test_two_deliveries_for_one_consent_pair_take_turns(ctx, wx, consents, sent):
    ids = deliveries(1, consents=consents, per_user=2)
    assert fanout.deliver_many(ids) == sent
    assert len(wx.calls("subscribe_send")) == sent
    assert statuses(ids) == ({"sent": 2} if sent == 2 else {"sent": 1, "undeliverable": 1})


def test_the_send_rate_cap_holds_across_workers(ctx):
    cap, per_worker = 5, 8
    times: list[float] = []
    lock = threading.Lock()
    redis = redis_client()

    def worker():
        rate = SendRate(redis, cap, key="test:send_rate")   # each worker its own limiter
        for _ in range(per_worker):
            rate.wait()
            with lock:
                times.append(time.time())

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(times) == 3 * per_worker
    assert max(Counter(int(t) for t in times).values()) <= cap
    assert max(times) - min(times) >= (3 * per_worker) / cap - 2          # 24 sends at 5/s: ≥ 4 s


def test_no_cap_means_no_wait(ctx):
    began = time.perf_counter()
    rate = SendRate(redis_client(), 0)
    for _ in range(1000):
        rate.wait()
    assert time.perf_counter() - began < 0.5
