from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow
from .person import Person
from .season import Season

CATEGORIES = ("product", "equipment", "process", "cost_management", "environment_energy", "other")
STATUSES = ("draft", "submitted", "returned", "unit_recommended", "county_recommended",
            "accepted", "scored", "decided", "withdrawn", "not_recommended", "ineligible")
AWARDS = ("special", "first", "second", "third", "excellent")
BENEFIT_KINDS = ("economic", "social")


class Entry(db.Model):
    """An entry (优秀成果) with the canonical fields of DESIGN.md (附件2, 附件3; the leader's
    附件4 profile is the linked Person)."""
    __tablename__ = "entries"
    __table_args__ = (Index("ix_entries_season_status", "season_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(30), default="draft")
    # Who created it in the system; an e-station agent files for a farmer (applicant).
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    applicant_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id", ondelete="SET NULL"), index=True)

    category: Mapped[str | None] = mapped_column(String(30))
    industry: Mapped[str | None] = mapped_column(String(50))
    title: Mapped[str | None] = mapped_column(String(200))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    # How the unit was chosen: "role" (the user's own role/organisation) or "named" (named
    # freely: a farmer's or small unit's own choice, for the reviewers to confirm).
    unit_source: Mapped[str | None] = mapped_column(String(10))
    started_on: Mapped[str | None] = mapped_column(String(10))     # YYYY-MM or YYYY-MM-DD
    completed_on: Mapped[str | None] = mapped_column(String(10))
    # 项目成果应用时间 (RULES.md: materials say when it was applied) and whether it is used in
    # production (用于生产实际: 附件6 counts "of which applied in production").
    applied_on: Mapped[str | None] = mapped_column(String(10))     # YYYY-MM or YYYY-MM-DD
    in_production: Mapped[bool | None] = mapped_column(Boolean)
    funded_project: Mapped[bool | None] = mapped_column(Boolean)
    patent_granted: Mapped[bool | None] = mapped_column(Boolean)
    patent_number: Mapped[str | None] = mapped_column(String(30))
    patent_announced_on: Mapped[date | None] = mapped_column(Date)
    summary: Mapped[str | None] = mapped_column(Text)
    benefit_kind: Mapped[str | None] = mapped_column(String(10))
    benefit_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))   # 万元/年
    benefit_description: Mapped[str | None] = mapped_column(Text)
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id", ondelete="SET NULL"))
    filled_by: Mapped[str | None] = mapped_column(String(50))            # 附件3 填报人
    responsible_person: Mapped[str | None] = mapped_column(String(50))   # 附件3 负责人
    award: Mapped[str | None] = mapped_column(String(20))

    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)

    season: Mapped["Season"] = relationship(lazy="joined")
    leader: Mapped[Person | None] = relationship(foreign_keys=[leader_id])
    applicant: Mapped[Person | None] = relationship(foreign_keys=[applicant_id])
    attachments: Mapped[list["Attachment"]] = relationship(
        back_populates="entry", foreign_keys="Attachment.entry_id", order_by="Attachment.id")

    __mapper_args__ = {"version_id_col": version}


class Attachment(db.Model):
    """A stored file: the leader's photo, pictures, charts, appraisal certificates."""
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))          # photo | image | chart | certificate | other
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(300))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    entry: Mapped[Entry | None] = relationship(back_populates="attachments", foreign_keys=[entry_id])
