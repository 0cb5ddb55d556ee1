"""Many deliveries at WeChat's pace (a reminder batch): claims, consents and outcomes are
written in bulk, many sends are in flight at once from a thread pool, and a send-rate cap
holds across workers (wechat/rate.py).

The promise stays notify.deliver's: at most once. Deliveries are claimed (pending → sending)
half a window at a time, together with their consents, and committed before any of them is
sent; the threads only call WeChat; the main thread writes outcomes. A worker that dies leaves
the deliveries claimed but not yet recorded — the messages in flight, at most
REMINDER_SENDS_IN_FLIGHT — as `sending`, never sent twice."""
from __future__ import annotations

from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

from flask import current_app
from sqlalchemy import select, tuple_, update

from ..errors import RetryLater
from ..extensions import db, redis_client
from ..models import Delivery, SubscriptionConsent, User
from ..timeutil import utcnow
from ..wechat import gateway
from ..wechat.bulk import BulkSender
from ..wechat.client import WeChatError
from ..wechat.rate import SendRate
from . import notify
from .notify import Claimed


def deliver_many(ids: list[int]) -> int:
    """Deliver these (pending) deliveries; returns how many were sent. Deliveries WeChat asked
    to retry go back to pending and, after the rest are done, RetryLater is raised.

    Two half-windows alternate: while one half's sends are in flight the other's outcomes are
    written and its successors claimed, so the threads are rarely idle and no more than
    REMINDER_SENDS_IN_FLIGHT deliveries are ever claimed without their outcome written."""
    size = current_app.config["REMINDER_SENDS_IN_FLIGHT"]
    half = max(1, size // 2)
    client = BulkSender(gateway())          # the same call, cheaper per send (wechat/bulk.py)
    rate = SendRate(redis_client(), current_app.config["WECHAT_SEND_RATE"])

    def send(d: Claimed):
        rate.wait()
        try:
            notify.subscribe_call(client, d)
        except WeChatError as exc:
            return exc
        return None

    sent, retry, todo = 0, None, list(ids)
    running: dict = {}                        # future → Claimed
    finished: dict = {}                       # done, outcome not yet written
    with ThreadPoolExecutor(max_workers=size, thread_name_prefix="send") as pool:
        while todo or running or finished:
            if todo and len(running) + len(finished) + half <= size:
                chunk = _one_per_consent(todo[:half])
                todo = chunk.deferred + todo[half:]
                with_consent, without = _claim(chunk.ids)
                running.update((pool.submit(send, d), d) for d in with_consent)
                sent += sum(notify.fallback(d) == "sent" for d in without)
                continue
            if running:
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                finished.update((f, running.pop(f)) for f in done)
            if len(finished) >= half or not running:
                n, error = _record(finished)
                sent, retry, finished = sent + n, retry or error, {}
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


def _claim(ids: list[int]) -> tuple[list[Claimed], list[Claimed]]:
    """Claim (pending → sending) and take a consent for each, in one commit, before any send.
    Returns those with a consent (to send as subscribe messages) and those without."""
    claimed = db.session.scalars(update(Delivery).where(
        Delivery.id.in_(ids), Delivery.status == "pending").values(
        status="sending", attempts=Delivery.attempts + 1, claimed_at=utcnow()).returning(Delivery.id)).all()
    if not claimed:
        db.session.rollback()
        return [], []
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
    return with_consent, [d for d in rows if (d.user_id, d.template) not in used]


def _record(finished: dict) -> tuple[int, str | None]:
    """Write the outcomes of finished sends: successes in one UPDATE, failures one by one as
    notify.deliver would. Returns (sent, the error of a send WeChat asked to retry)."""
    outcomes = [(d, future.result()) for future, d in finished.items()]
    ok = [d.id for d, exc in outcomes if exc is None]
    if ok:
        db.session.execute(update(Delivery).where(Delivery.id.in_(ok)).values(status="sent", sent_at=utcnow()))
        db.session.commit()
    retry = None
    for d, exc in outcomes:
        if exc is not None:
            try:
                notify.record_failure(d, exc)
            except RetryLater as later:
                retry = str(later)
    return len(ok), retry
