from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow

LEVELS = ("unit", "county", "city")


class EntryReview(db.Model):
    """Where an entry climbs and what its reviewers said (one row per submitted entry).

    The route is fixed when the entry is submitted (services/review/route.py): the organisation
    whose admins act at each level, after the fallbacks (a unit without an admin is handled by
    the level above; a unit directly under the city has no county level, county_org_id NULL;
    a college's county level is its system's county body when there is one). Storing it makes a
    reviewer's queue one indexed equality instead of a tree walk per entry."""
    __tablename__ = "entry_reviews"
    __table_args__ = (Index("ix_entry_reviews_unit_org", "unit_org_id"),
                      Index("ix_entry_reviews_county_org", "county_org_id"))

    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True)
    unit_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"))
    county_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"))
    city_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"))
    # The unit's first act: "this is ours" (the filer named the unit freely).
    unit_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    unit_confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The last return: by which level, why, which fields to change, by when (China date).
    returned_level: Mapped[str | None] = mapped_column(String(10))
    return_reason: Mapped[str | None] = mapped_column(Text)
    return_fields: Mapped[list | None] = mapped_column(JSON)
    reply_by: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class Recommendation(db.Model):
    """A level's recommendation for a season: the 附件2 sheet printed, stamped (推荐单位盖章) and
    its scan uploaded back (an Attachment of no entry). One per (season, organisation, level);
    a new upload replaces the scan, the old one stays in the audit trail."""
    __tablename__ = "recommendations"
    __table_args__ = (UniqueConstraint("season_id", "org_id", "level", name="uq_recommendations_season_org_level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id", ondelete="CASCADE"))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    level: Mapped[str] = mapped_column(String(10))
    scan_id: Mapped[int] = mapped_column(ForeignKey("attachments.id", ondelete="RESTRICT"))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class LeaderKey(db.Model):
    """The keys a submitted entry's leader name is found by when looking for duplicates
    (services/review/duplicates.py): the name's canonical form (variants, width, dots and spaces
    folded) and, for names of three characters or more, that form with each character in turn
    replaced by "*" — two names one character apart share one such key. Written when the entry
    is routed (submission, resubmission)."""
    __tablename__ = "leader_keys"

    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(80), primary_key=True, index=True)


class DuplicateFlag(db.Model):
    """"This entry looks like that one" (same or nearly the same leader, similar title; that one
    of this or an earlier season), found when the entry is routed (services/review/duplicates.py)
    and read by the queue in one indexed query. Both entries of a pair in one season flag each
    other. A withdrawn or draft other entry is left out when read."""
    __tablename__ = "duplicate_flags"

    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True)
    other_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True, index=True)
