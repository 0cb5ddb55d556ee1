"""Many deliveries at WeChat's pace (a reminder batch): claims, consents and outcomes are
written in bulk, a round's sends are all in flight at once from a thread pool, and a send-rate
cap holds across workers (wechat/rate.py).

The promise stays notify.deliver's: at most once. A round's deliveries are claimed (pending →
sending) together with their consents and committed before any of them is sent; the threads
only call WeChat; outcomes are written when the round ends. A worker that dies mid-round leaves
that round's deliveries — the messages in flight, at most REMINDER_SENDS_IN_FLIGHT — as
`sending`, never sent twice."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from flask import current_app
from sqlalchemy import select, tuple_, update

from ..errors import RetryLater
from ..extensions import db, redis_client
from ..models import Delivery, SubscriptionConsent, User
from ..timeutil import utcnow
from ..wechat import gateway
from ..wechat.client import WeChatError
from ..wechat.rate import SendRate
from . import notify
from .notify import Claimed


def deliver_many(ids: list[int]) -> int:
    """Deliver these (pending) deliveries; returns how many were sent. Deliveries WeChat asked
    to retry go back to pending and, after the rest are done, RetryLater is raised."""
    size = current_app.config["REMINDER_SENDS_IN_FLIGHT"]
    client = gateway()
    rate = SendRate(redis_client(), current_app.config["WECHAT_SEND_RATE"])
    sent, retry, todo = 0, None, list(ids)
    with ThreadPoolExecutor(max_workers=size, thread_name_prefix="send") as pool:
        while todo:
            chunk = _one_per_consent(todo[:size])
            todo = chunk.deferred + todo[size:]
            n, error = _round(chunk.ids, client, rate, pool)
            sent, retry = sent + n, retry or error
    if retry:
        raise RetryLater(retry)
    return sent


class _Chunk:
    def __init__(self, ids: list[int], deferred: list[int]):
        self.ids, self.deferred = ids, deferred


def _one_per_consent(ids: list[int]) -> _Chunk:
    """A round uses each (user, template) consent at most once; a second delivery for the same
    pair waits for the next round (a reminder batch never has one: one per user and slot)."""
    seen, keep, later = set(), [], []
    for delivery_id, user_id, template in db.session.execute(select(
            Delivery.id, Delivery.user_id, Delivery.template).where(Delivery.id.in_(ids)).order_by(Delivery.id)):
        (later if (user_id, template) in seen else keep).append(delivery_id)
        seen.add((user_id, template))
    return _Chunk(keep, later)


def _round(ids: list[int], client, rate: SendRate, pool: ThreadPoolExecutor) -> tuple[int, str | None]:
    claimed = db.session.scalars(update(Delivery).where(
        Delivery.id.in_(ids), Delivery.status == "pending").values(
        status="sending", attempts=Delivery.attempts + 1).returning(Delivery.id)).all()
    if not claimed:
        db.session.rollback()
        return 0, None
    rows = [Claimed(*r) for r in db.session.execute(select(
        Delivery.id, Delivery.user_id, User.openid, Delivery.template, Delivery.data)
        .join(User, User.id == Delivery.user_id).where(Delivery.id.in_(claimed)).order_by(Delivery.id))]
    used = set(db.session.execute(update(SubscriptionConsent).where(
        tuple_(SubscriptionConsent.user_id, SubscriptionConsent.template).in_([(d.user_id, d.template) for d in rows]),
        SubscriptionConsent.remaining > 0).values(remaining=SubscriptionConsent.remaining - 1)
        .returning(SubscriptionConsent.user_id, SubscriptionConsent.template)).all())
    with_consent = [d for d in rows if (d.user_id, d.template) in used]
    if with_consent:
        db.session.execute(update(Delivery).where(Delivery.id.in_([d.id for d in with_consent]))
                           .values(channel="subscribe"))
    db.session.commit()                      # claims and the consents they use, before any send

    def send(d: Claimed):
        rate.wait()
        try:
            notify.subscribe_call(client, d)
        except WeChatError as exc:
            return exc
        return None

    outcomes = list(pool.map(send, with_consent))
    ok = [d.id for d, exc in zip(with_consent, outcomes) if exc is None]
    if ok:
        db.session.execute(update(Delivery).where(Delivery.id.in_(ok)).values(status="sent", sent_at=utcnow()))
        db.session.commit()
    retry = None
    for d, exc in zip(with_consent, outcomes):
        if exc is not None:
            try:
                notify.record_failure(d, exc)
            except RetryLater as later:
                retry = str(later)
    sent = len(ok)
    for d in rows:
        if (d.user_id, d.template) not in used:
            sent += notify.fallback(d) == "sent"
    return sent, retry
