from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow


class InboundMessage(db.Model):
    """A message WeChat pushed to us, recorded before we answer `success`. The unique key
    (MsgId, or FromUserName+CreateTime for events) makes WeChat's retries harmless."""
    __tablename__ = "inbound_messages"
    __table_args__ = (Index("ix_inbound_messages_openid_pending", "openid", "processed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    msg_key: Mapped[str] = mapped_column(String(100), unique=True)
    openid: Mapped[str] = mapped_column(String(64))
    msg_type: Mapped[str] = mapped_column(String(30))        # text, image, voice, event, ...
    event: Mapped[str | None] = mapped_column(String(50))
    content: Mapped[str | None] = mapped_column(Text)          # text, or voice Recognition
    media_id: Mapped[str | None] = mapped_column(String(200))
    sent_at: Mapped[datetime] = mapped_column(DateTime)        # WeChat's CreateTime
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(DateTime)
    outcome: Mapped[str | None] = mapped_column(String(30))    # answered, ignored, recorded (system event), failed


class OutboundMessage(db.Model):
    """A customer-service reply, written in the same transaction as the turn that produced it
    and sent afterwards; kept `waiting` when WeChat's 48-hour / 5-message rule forbids it."""
    __tablename__ = "outbound_messages"
    __table_args__ = (Index("ix_outbound_messages_openid_status", "openid", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    openid: Mapped[str] = mapped_column(String(64))
    inbound_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_messages.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    # pending, waiting (WeChat's window), sending (claimed: maybe sent), sent, unknown (no answer
    # from WeChat: maybe sent), superseded (a later turn answered first), failed
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
