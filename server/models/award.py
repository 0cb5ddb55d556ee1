"""The two organisation awards of RULES.md (issue 18 items 5 and 6).

- 优秀组织奖: one sheet per season and organisation (a county, an industry union or a unit) of
  the 10-item, 100-point rubric. Items the data computes are read live and frozen into their
  item rows when the city decides; items that need evidence hold the files the organisation
  uploaded and the city office's score.
- 优胜单位奖: a unit's application (附件5) with the county/industry opinion, then the city's.
Statuses change only through services/status.py (AWARD_TRANSITIONS)."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow
from .entry import Attachment
from .org import Organisation


class OrgAwardSheet(db.Model):
    """优秀组织奖 sheet of one organisation in one season: open → submitted → awarded | not_awarded."""
    __tablename__ = "org_award_sheets"
    __table_args__ = (UniqueConstraint("season_id", "org_id", name="uq_org_award_sheets_season_org"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id", ondelete="RESTRICT"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="open")
    total: Mapped[Decimal | None] = mapped_column(Numeric(5, 1))          # frozen at the decision
    reason: Mapped[str | None] = mapped_column(Text)                       # the city's reason
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    org: Mapped[Organisation] = relationship(lazy="joined")
    items: Mapped[list["OrgAwardItem"]] = relationship(back_populates="sheet", order_by="OrgAwardItem.item_no",
                                                       cascade="all, delete-orphan")


class OrgAwardItem(db.Model):
    """One item of a sheet: the organisation's note and evidence, the city's score and comment;
    for a computed item, the figures and rule it was scored by (`basis`, frozen at the decision)."""
    __tablename__ = "org_award_items"
    __table_args__ = (UniqueConstraint("sheet_id", "item_no", name="uq_org_award_items_sheet_item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("org_award_sheets.id", ondelete="CASCADE"), index=True)
    item_no: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    score: Mapped[Decimal | None] = mapped_column(Numeric(4, 1))
    comment: Mapped[str | None] = mapped_column(Text)
    basis: Mapped[dict | None] = mapped_column(JSON)
    scored_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    scored_at: Mapped[datetime | None] = mapped_column(DateTime)

    sheet: Mapped[OrgAwardSheet] = relationship(back_populates="items")
    evidence: Mapped[list["OrgAwardEvidence"]] = relationship(order_by="OrgAwardEvidence.id",
                                                             cascade="all, delete-orphan")


class OrgAwardEvidence(db.Model):
    """A file uploaded as evidence for an item (stored like every attachment, by content)."""
    __tablename__ = "org_award_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("org_award_items.id", ondelete="CASCADE"), index=True)
    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachments.id", ondelete="RESTRICT"), index=True)
    added_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    attachment: Mapped[Attachment] = relationship(lazy="joined")


class WinnerApplication(db.Model):
    """优胜单位申报表 (附件5): filed → county_recommended | county_refused; county_recommended →
    awarded | city_refused. One per unit and season."""
    __tablename__ = "winner_applications"
    __table_args__ = (UniqueConstraint("season_id", "org_id", name="uq_winner_applications_season_org"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id", ondelete="RESTRICT"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="filed")
    legal_rep: Mapped[str] = mapped_column(String(50))               # 法人代表
    nature: Mapped[str] = mapped_column(String(50))                  # 单位性质
    phone: Mapped[str] = mapped_column(String(30))                   # 联系电话
    employees: Mapped[int] = mapped_column(Integer)                  # 职工总数
    participants: Mapped[int] = mapped_column(Integer)               # 参与职工（人）→ 职工参与率
    summary: Mapped[str] = mapped_column(Text)                       # “五小”竞赛开展情况简介
    applicant_opinion: Mapped[str] = mapped_column(Text)             # 申报单位意见
    filled_by: Mapped[str | None] = mapped_column(String(50))        # 填报人
    responsible: Mapped[str | None] = mapped_column(String(50))      # 负责人
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    filed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    county_decision: Mapped[str | None] = mapped_column(String(10))  # approve | refuse
    county_comment: Mapped[str | None] = mapped_column(Text)
    county_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    county_at: Mapped[datetime | None] = mapped_column(DateTime)
    city_decision: Mapped[str | None] = mapped_column(String(10))
    city_comment: Mapped[str | None] = mapped_column(Text)
    city_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    city_at: Mapped[datetime | None] = mapped_column(DateTime)

    org: Mapped[Organisation] = relationship(lazy="joined")
