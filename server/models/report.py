from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow
from .org import Organisation

# RULES.md "Forms": units file a monthly report (月报) on their activity, plus half-year and
# full-year summaries (总结). `period` is "YYYY-MM" for a month, "YYYY-H1" / "YYYY-H2" for a
# half-year summary, "YYYY" for a full-year one.
REPORT_KINDS = ("month", "half_year", "year")


class UnitReport(db.Model):
    """A unit's report for one period. A report being written in the dialogue exists as a draft
    (`filed_at` None, `period` maybe not yet given); filing it makes it count."""
    __tablename__ = "unit_reports"
    __table_args__ = (UniqueConstraint("org_id", "kind", "period", name="uq_unit_reports_org_kind_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[str] = mapped_column(String(10), default="month")
    period: Mapped[str | None] = mapped_column(String(7), index=True)
    activities: Mapped[int | None] = mapped_column(Integer)       # 开展活动（次）
    participants: Mapped[int | None] = mapped_column(Integer)     # 参与人数（人）
    entries: Mapped[int | None] = mapped_column(Integer)          # 征集成果（项）
    promotions: Mapped[int | None] = mapped_column(Integer)       # 技能等级晋升（人）
    problems: Mapped[str | None] = mapped_column(Text)            # 存在问题
    summary: Mapped[str | None] = mapped_column(Text)             # 总结 text (half-year / year)
    attachment_id: Mapped[int | None] = mapped_column(ForeignKey("attachments.id", ondelete="SET NULL"))
    # The dialogue's unit step: True once the unit is settled (chosen, or the filer's only unit).
    unit_chosen: Mapped[bool | None] = mapped_column(Boolean)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    filed_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    org: Mapped[Organisation] = relationship(lazy="joined")

    @property
    def chosen_unit_id(self) -> int | None:
        """The unit, once settled (the report flow's step `report.unit`)."""
        return self.org_id if self.unit_chosen else None
