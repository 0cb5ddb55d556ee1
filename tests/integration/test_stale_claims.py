"""Claims left by a worker that died mid-send become `unknown` once older than any live send
could be (issue 13, item 17's delivery promise: maybe sent, never resent), and nothing else
changes: not a fresh claim, not another status, not a chat reply still in flight."""
from __future__ import annotations

from datetime import timedelta

import pytest

from server.extensions import db
from server.models import Delivery, OutboundMessage
from server.services import notify
from server.services.stale_claims import settle_stale_claims
from server.timeutil import utcnow

from ..factories import make_user

STALE = 600            # the default SEND_CLAIM_STALE_SECONDS

# (status, seconds since the claim or None for a claim older than the column) → status after
CASES = [
    ("sending", STALE + 1, "unknown"),
    ("sending", 3 * 3600, "unknown"),
    ("sending", None, "unknown"),          # claimed before claims were timed
    ("sending", STALE - 5, "sending"),     # may still be in flight
    ("sending", 0, "sending"),
    ("pending", 3 * 3600, "pending"),
    ("sent", 3 * 3600, "sent"),
    ("failed", 3 * 3600, "failed"),
    ("unknown", 3 * 3600, "unknown"),
    ("undeliverable", 3 * 3600, "undeliverable"),
]


@pytest.fixture
def rows(ctx):
    user = make_user("李师傅", openid="o-stale")
    now = utcnow()
    made = []
    for i, (status, age, _) in enumerate(CASES):
        at = None if age is None else now - timedelta(seconds=age)
        d = Delivery(dedupe_key=f"t:{i}", user_id=user.id, template="deadline_reminder", status=status,
                     claimed_at=at)
        m = OutboundMessage(openid=user.openid, text=f"回复{i}", status=status,
                            sent_at=at if at is not None else now - timedelta(days=1))
        db.session.add_all([d, m])
        made.append((d, m))
    db.session.commit()
    return now, [(d.id, m.id) for d, m in made]


def test_old_claims_become_unknown_and_nothing_else_moves(rows):
    now, ids = rows
    counts = settle_stale_claims(now)
    db.session.expire_all()
    for (status, age, expected), (delivery_id, message_id) in zip(CASES, ids):
        d, m = db.session.get(Delivery, delivery_id), db.session.get(OutboundMessage, message_id)
        assert d.status == expected, (status, age)
        assert m.status == expected, (status, age)
        if status == "sending" and expected == "unknown":
            assert "not resent" in d.last_error and "not resent" in m.last_error
    moved = sum(1 for status, _, expected in CASES if status != expected)
    assert counts == {"deliveries": moved, "replies": moved}
    assert settle_stale_claims(now) == {"deliveries": 0, "replies": 0}     # idempotent


def test_the_period_follows_the_setting(rows, app):
    now, ids = rows
    app.config["SEND_CLAIM_STALE_SECONDS"] = 2 * STALE
    try:
        counts = settle_stale_claims(now)
    finally:
        app.config["SEND_CLAIM_STALE_SECONDS"] = STALE
    assert counts["deliveries"] == 2        # only the 3-hour-old and the untimed claims


def test_a_claim_is_timed(ctx, wx):
    user = make_user("王师傅", openid="o-timed")
    d = Delivery(dedupe_key="t:timed", user_id=user.id, template="deadline_reminder")
    db.session.add(d)
    db.session.commit()
    before = utcnow()
    notify.deliver(d.id)
    db.session.expire_all()
    claimed = db.session.get(Delivery, d.id)
    assert claimed.status in ("sent", "undeliverable") and claimed.claimed_at >= before - timedelta(seconds=1)


def test_the_sweep_is_a_periodic_job():
    from workers.periodic import PERIODIC
    func, period = PERIODIC["stale_claims"]
    assert func == "workers.notify.settle_stale_claims" and period <= STALE
