from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow


class OutboxEvent(db.Model):
    """Something happened that people must hear about. Written in the same transaction as the
    change; a relay moves it to RQ, so a Redis outage delays notifications but loses none."""
    __tablename__ = "outbox_events"
    __table_args__ = (Index("ix_outbox_events_pending", "relayed_at", "id"),
                      Index("ix_outbox_events_unhandled", "handled_at", "relayed_at"),
                      UniqueConstraint("dedupe_key", name="uq_outbox_events_dedupe_key"))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(50))
    dedupe_key: Mapped[str | None] = mapped_column(String(120))   # once-per-thing events
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    relayed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Set when every delivery of the event has an outcome. A relayed event still unhandled
    # after a while, whose job Redis no longer has (restarted without its data), is relayed again.
    handled_at: Mapped[datetime | None] = mapped_column(DateTime)


class SubscriptionConsent(db.Model):
    """Consents a user gave in the mini-program (wx.requestSubscribeMessage): each one allows
    exactly one message of that template, and WeChat offers no way to read the count back."""
    __tablename__ = "subscription_consents"
    __table_args__ = (UniqueConstraint("user_id", "template", name="uq_subscription_consents_user_template"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    template: Mapped[str] = mapped_column(String(50))        # our template key (subscribe.yaml)
    remaining: Mapped[int] = mapped_column(Integer, default=0)
    last_choice: Mapped[str | None] = mapped_column(String(10))   # accept / reject in WeChat's popup
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class Delivery(db.Model):
    """One notification to one user. The unique key makes every (event, user) delivered at most
    once however often a job runs; each attempt's outcome is kept."""
    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("dedupe_key", name="uq_deliveries_dedupe_key"),
                      Index("ix_deliveries_status_claimed_at", "status", "claimed_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(120))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    template: Mapped[str] = mapped_column(String(50))
    channel: Mapped[str | None] = mapped_column(String(20))   # subscribe | custom | none
    # pending, sending (claimed: maybe sent), sent, unknown (maybe sent: no answer from WeChat, or
    # the worker died mid-send), undeliverable, failed
    status: Mapped[str] = mapped_column(String(20), default="pending")
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)   # UTC, set by each claim


class ReminderSlot(db.Model):
    """One planned reminder of a season (services/reminder_plan.py). Re-planning moves or
    cancels slots not yet run; a job carries the planned time, so a moved slot's old job does
    nothing."""
    __tablename__ = "reminder_slots"
    __table_args__ = (UniqueConstraint("season_id", "key", name="uq_reminder_slots_season_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(30))
    send_at: Mapped[datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(20), default="planned")   # planned, done, cancelled, missed (overdue, superseded)
    ran_at: Mapped[datetime | None] = mapped_column(DateTime)
