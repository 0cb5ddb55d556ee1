from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow


class Person(db.Model):
    """A real person named on an entry: a project leader (附件4) or a farmer helped by an
    e-station. They may have no WeChat account; `user_id` links them once they log in and
    bind the same phone. Their photo is an Attachment with kind "photo" and this person_id."""
    __tablename__ = "persons"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    gender: Mapped[str | None] = mapped_column(String(10))          # male | female
    birth_month: Mapped[str | None] = mapped_column(String(7))      # YYYY-MM
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    # What the leader does (附件4 adapts to it): employee | teacher | student | farmer
    occupation: Mapped[str | None] = mapped_column(String(20))
    work_start: Mapped[str | None] = mapped_column(String(7))       # YYYY-MM
    political_status: Mapped[str | None] = mapped_column(String(30))
    professional_title: Mapped[str | None] = mapped_column(String(50))
    skill_level: Mapped[str | None] = mapped_column(String(50))
    education: Mapped[str | None] = mapped_column(String(30))
    highest_honor: Mapped[str | None] = mapped_column(String(200))
    bio: Mapped[str | None] = mapped_column(Text)
    deeds: Mapped[str | None] = mapped_column(Text)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    village: Mapped[str | None] = mapped_column(String(200))       # farmers: village or unit
    consent_at: Mapped[datetime | None] = mapped_column(DateTime)  # farmer's consent to proxy filing
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
