"""Notifications: consents, and delivering one message per (event, user) through the best
channel WeChat allows — a subscribe message when a consent is left, else a customer-service
message inside the 48-hour window, else recorded as undeliverable for admins to see."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ..errors import RetryLater, ValidationError
from ..extensions import db
from ..models import Delivery, OutboundMessage, OutboxEvent, SubscriptionConsent, User
from ..texts import lookup
from ..timeutil import utcnow
from ..wechat import gateway
from ..wechat.client import WeChatError, WeChatUnreachable
from .consents import templates
from .notices import HANDLERS

log = logging.getLogger(__name__)
RETRYABLE = (-1, 45009)


def render_data(template: str, values: dict) -> dict:
    """Template values → WeChat's data, within each key type's limits (long titles are cut)."""
    spec, limits = templates()[template], lookup("subscribe.limits")
    data = {}
    for key, field in spec["fields"].items():
        value = str(field["value"]).format(**values)
        limit = limits[field["kind"]]
        if len(value) > limit:
            if field["kind"] != "thing":
                raise ValidationError("errors.template_value_too_long", code="template_limit",
                                      field=key, limit=limit)
            value = value[:limit - 1] + "…"
        data[key] = {"value": value}
    return data


def handle_event(event_id: int) -> list[int]:
    """Turn one outbox event into deliveries (its kind's builder in notices.HANDLERS says who
    hears what) and send them; returns the delivery ids. Safe to run twice: a delivery's dedupe
    key is (event, user). RetryLater from a send leaves the event unhandled for RQ to retry."""
    event = db.session.get(OutboxEvent, event_id)
    if event is None or event.kind not in HANDLERS:
        if event is not None:
            log.warning("outbox event %s of unknown kind %r left unhandled", event.id, event.kind)
        return []
    ids = []
    for user_id, template, values in HANDLERS[event.kind](event.payload):
        delivery = Delivery(dedupe_key=f"event:{event.id}:user:{user_id}", user_id=user_id, template=template,
                            data=values)
        db.session.add(delivery)
        try:
            db.session.commit()
        except IntegrityError:               # this job ran before: the delivery exists
            db.session.rollback()
            delivery = db.session.scalar(select(Delivery).where(
                Delivery.dedupe_key == f"event:{event.id}:user:{user_id}"))
        ids.append(delivery.id)
    for delivery_id in ids:
        deliver(delivery_id)                 # RetryLater leaves the event unhandled: RQ retries it
    event.handled_at = utcnow()
    db.session.commit()
    return ids


@dataclass(frozen=True)
class Claimed:
    """What a send needs, read once: the ORM objects would be reloaded after every commit."""
    id: int
    user_id: int
    openid: str
    template: str
    data: dict


def deliver(delivery_id: int) -> str:
    """At most once: the delivery is claimed with a conditional UPDATE (pending → sending,
    committed) before WeChat is called, so two runs of a job, or a worker dying mid-send,
    never cause a second message — on SQLite as on PostgreSQL."""
    claimed = db.session.execute(update(Delivery).where(
        Delivery.id == delivery_id, Delivery.status == "pending").values(
        status="sending", attempts=Delivery.attempts + 1, claimed_at=utcnow())).rowcount
    if not claimed:
        db.session.rollback()
        return db.session.scalar(select(Delivery.status).where(Delivery.id == delivery_id))
    row = db.session.execute(select(Delivery.id, Delivery.user_id, User.openid, Delivery.template, Delivery.data)
                             .join(User, User.id == Delivery.user_id).where(Delivery.id == delivery_id)).one()
    d = Claimed(*row)
    # The claim and the consent it uses commit together (one consent, one message — used even
    # if the send fails), before WeChat is called.
    used = db.session.execute(update(SubscriptionConsent).where(
        SubscriptionConsent.user_id == d.user_id, SubscriptionConsent.template == d.template,
        SubscriptionConsent.remaining > 0).values(remaining=SubscriptionConsent.remaining - 1)).rowcount
    if used:
        return _send_subscribe(d)
    db.session.commit()
    return fallback(d)


def _set(d: Claimed, **values) -> str:
    db.session.execute(update(Delivery).where(Delivery.id == d.id).values(**values))
    db.session.commit()
    return values.get("status", "sending")


def _send_subscribe(d: Claimed) -> str:
    db.session.execute(update(Delivery).where(Delivery.id == d.id).values(channel="subscribe"))
    db.session.commit()
    try:
        subscribe_call(gateway(), d)
    except WeChatError as exc:
        return record_failure(d, exc)
    return _set(d, status="sent", sent_at=utcnow())


def subscribe_call(client, d: Claimed) -> None:
    """The WeChat call alone — no database — so that many can run at once in threads."""
    spec = templates()[d.template]
    client.send_subscribe(d.openid, spec["id"], render_data(d.template, d.data), page=spec.get("page"))


def record_failure(d: Claimed, exc: WeChatError) -> str:
    """What a refused or unanswered subscribe send leaves (the claim and consent already committed)."""
    if isinstance(exc, WeChatUnreachable):
        if exc.maybe_sent:                   # at most once: never resend what may have arrived
            return _set(d, status="unknown", last_error=f"no answer: {exc}"[:200])
        return _undo_claim(d, str(exc))
    error = f"{exc.errcode}: {exc.errmsg}"[:200]
    if exc.errcode in RETRYABLE:
        return _undo_claim(d, error)
    if exc.errcode == 43101:                 # the user withdrew consent: none left, try the chat
        db.session.execute(update(SubscriptionConsent).where(
            SubscriptionConsent.user_id == d.user_id, SubscriptionConsent.template == d.template)
            .values(remaining=0))
        db.session.execute(update(Delivery).where(Delivery.id == d.id).values(last_error=error))
        return fallback(d)
    return _set(d, status="failed", last_error=error)


def _undo_claim(d: Claimed, error: str) -> str:
    """WeChat did not take the message (busy, unreachable): give the consent back, retry later."""
    db.session.execute(update(SubscriptionConsent).where(
        SubscriptionConsent.user_id == d.user_id, SubscriptionConsent.template == d.template)
        .values(remaining=SubscriptionConsent.remaining + 1))
    _set(d, status="pending", last_error=error[:200])
    raise RetryLater(error)


def fallback(d: Claimed) -> str:
    from .chat import deliver as deliver_chat, window_allows
    if window_allows(d.openid) > 0:
        text = lookup("subscribe.templates")[d.template]["title"] + "：" + "，".join(
            v["value"] for v in render_data(d.template, d.data).values())
        db.session.add(OutboundMessage(openid=d.openid, text=text))
        _set(d, status="sent", channel="custom", sent_at=utcnow())
        deliver_chat(d.openid)
        return "sent"
    return _set(d, status="undeliverable", channel="none")
