"""Claims left behind by a worker that died mid-send.

Every send is claimed (→ `sending`, committed) before WeChat is called, so a crash can never
cause a second message (notify.deliver, fanout.deliver_many, chat's replies). What the crash
leaves is a claim with no outcome: WeChat may or may not have taken the message. Once such a
claim is older than any live send could be, it is marked `unknown` — maybe sent, never resent
— so that the office sees an outcome instead of a send that looks forever in progress.

A live send holds its claim at most REMINDER_SENDS_IN_FLIGHT × workers ÷ WECHAT_SEND_RATE
seconds (waiting for its turn under the cap) plus WECHAT_TIMEOUT; SEND_CLAIM_STALE_SECONDS
(default 600) must exceed that. If it does not, nothing is sent twice either: a send that
finishes after being marked `unknown` still records `sent`."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, update

from ..extensions import db
from ..models import Delivery, OutboundMessage
from ..timeutil import utcnow

NOTE = "worker stopped mid-send: maybe sent, not resent"


def settle_stale_claims(now: datetime | None = None) -> dict[str, int]:
    """Mark claims older than SEND_CLAIM_STALE_SECONDS `unknown`. Returns how many of each kind
    ({"deliveries": n, "replies": m}); idempotent (a second run finds none)."""
    cutoff = (now or utcnow()) - timedelta(seconds=current_app.config["SEND_CLAIM_STALE_SECONDS"])
    deliveries = db.session.execute(update(Delivery).where(
        Delivery.status == "sending", or_(Delivery.claimed_at < cutoff, Delivery.claimed_at.is_(None)))
        .values(status="unknown", last_error=NOTE)).rowcount
    # A reply's claim stamps sent_at (services/chat._claim).
    replies = db.session.execute(update(OutboundMessage).where(
        OutboundMessage.status == "sending", OutboundMessage.sent_at < cutoff)
        .values(status="unknown", last_error=NOTE)).rowcount
    db.session.commit()
    return {"deliveries": deliveries, "replies": replies}
