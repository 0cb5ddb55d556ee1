"""What the 附件6 tables count besides entries and reports (issue 18 item 1):
- SkillPromotion: one person's skill-grade promotion through the contest (技能等级晋升), recorded
  by their unit and counted once the unit admin confirms it;
- Denominator: what a county (or industry union) enters where the registry cannot list every
  unit — the number of units and employees of one unit type (附件6 counts non-public enterprises
  in 万), with where the figure comes from and its date."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow
from .org import Organisation

# 国家职业资格 five grades, lowest first (a promotion goes up this list)
SKILL_GRADES = ("grade5", "grade4", "grade3", "grade2", "grade1")


class SkillPromotion(db.Model):
    __tablename__ = "skill_promotions"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    person_name: Mapped[str] = mapped_column(String(50))
    from_grade: Mapped[str | None] = mapped_column(String(10))      # None: had no grade before
    to_grade: Mapped[str] = mapped_column(String(10))
    promoted_on: Mapped[date] = mapped_column(Date, index=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id", ondelete="SET NULL"))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)

    org: Mapped[Organisation] = relationship(lazy="joined")


class Denominator(db.Model):
    __tablename__ = "denominators"
    __table_args__ = (UniqueConstraint("org_id", "unit_type", "as_of", name="uq_denominators_org_type_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    unit_type: Mapped[str] = mapped_column(String(30))
    units: Mapped[int] = mapped_column(Integer)                     # 单位数（家）
    employees: Mapped[int | None] = mapped_column(Integer)          # 职工数（人）
    source: Mapped[str] = mapped_column(String(200))                # 数据来源
    as_of: Mapped[date] = mapped_column(Date)                       # 数据日期
    entered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    entered_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    org: Mapped[Organisation] = relationship(lazy="joined")
