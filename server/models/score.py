"""Expert scoring (issue 16): the expert pool, declared conflicts of interest, panels (which
expert scores which entry), score sheets, the office's award decisions and a season's release.

The rubric itself is data (message_templates/zh_CN/rubric.yaml, server/forms/rubric.py)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow
from .org import Organisation
from .user import User


class Expert(db.Model):
    """A member of the city's expert pool: what they can judge and where they work."""
    __tablename__ = "experts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"))
    categories: Mapped[list] = mapped_column(JSON, default=list)    # entry categories; [] = any
    industries: Mapped[list] = mapped_column(JSON, default=list)    # season industries; [] = any
    active: Mapped[bool] = mapped_column(Boolean, default=True)     # False: dropped out of the pool
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")
    unit: Mapped[Organisation | None] = relationship(lazy="joined")


class ExpertConflict(db.Model):
    """A conflict of interest declared by the expert or the office: with one entry, or with an
    organisation (every entry of that unit or below it)."""
    __tablename__ = "expert_conflicts"

    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"))
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text)
    declared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class PanelSeat(db.Model):
    """One expert on one entry's panel."""
    __tablename__ = "panel_seats"
    __table_args__ = (UniqueConstraint("entry_id", "expert_id", name="uq_panel_seats_entry_expert"),
                      Index("ix_panel_seats_season_expert", "season_id", "expert_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id", ondelete="CASCADE"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), index=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id", ondelete="CASCADE"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Answers given on the phone before the sheet is whole ({"innovation.band": ..., ...}).
    draft: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Score(db.Model):
    """One expert's score sheet for one entry: {criterion: {"band", "points"}}, the total and a
    comment. Revised in place (revision counts up); every version is in the audit trail."""
    __tablename__ = "scores"
    __table_args__ = (UniqueConstraint("entry_id", "expert_id", name="uq_scores_entry_expert"),
                      Index("ix_scores_season", "season_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id", ondelete="CASCADE"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"))
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id", ondelete="CASCADE"), index=True)
    criteria: Mapped[dict] = mapped_column(JSON, default=dict)
    total: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class AwardDecision(db.Model):
    """The office's decision on an entry's award (特等奖 / 优秀奖), with its reason; it takes
    the place of the grade from the thresholds at release."""
    __tablename__ = "award_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), unique=True)
    award: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ResultRelease(db.Model):
    """A season's results released, once (the unique season makes a second release fail even
    when two offices press the button at the same moment). Score revision and panel changes end
    with it; entries become `decided` when it is final."""
    __tablename__ = "result_releases"

    id: Mapped[int] = mapped_column(primary_key=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id", ondelete="CASCADE"), unique=True)
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    released_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    summary: Mapped[dict] = mapped_column(JSON, default=dict)      # {award: count}
    # With the season's publicity period (公示, setting `publicity_days`) the release opens it
    # and the results become final when it ends; without one they are final at once.
    publicity_ends_at: Mapped[datetime | None] = mapped_column(DateTime)
    finalised_at: Mapped[datetime | None] = mapped_column(DateTime)
    finalised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    @property
    def final(self) -> bool:
        return self.finalised_at is not None


class Objection(db.Model):
    """An objection (异议) to an entry on a season's publicity list, with its reasons, filed by
    anyone logged in during the period; the office answers it once (audited), and the answer may
    change the entry's award decision (award_before → award_after) before the results are final."""
    __tablename__ = "objections"

    id: Mapped[int] = mapped_column(primary_key=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), index=True)
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    award_changed: Mapped[bool] = mapped_column(Boolean, default=False)
    award_before: Mapped[str | None] = mapped_column(String(20))
    award_after: Mapped[str | None] = mapped_column(String(20))
