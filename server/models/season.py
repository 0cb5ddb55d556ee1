from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import china_day_end_utc, china_day_start_utc, utcnow

PHASES = ("organise", "submit", "review", "publish")


class Season(db.Model):
    """One year's competition: its calendar (China-time dates), rules and targets."""
    __tablename__ = "seasons"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    organise_start: Mapped[date] = mapped_column(Date)
    organise_end: Mapped[date] = mapped_column(Date)
    submit_start: Mapped[date] = mapped_column(Date)
    submit_end: Mapped[date] = mapped_column(Date)
    review_start: Mapped[date] = mapped_column(Date)
    review_end: Mapped[date] = mapped_column(Date)
    publish_start: Mapped[date] = mapped_column(Date)
    publish_end: Mapped[date] = mapped_column(Date)
    # Achievement window as "YYYY-MM" (inclusive months), e.g. 2019-10 .. 2021-09.
    achievement_from: Mapped[str] = mapped_column(String(7))
    achievement_to: Mapped[str] = mapped_column(String(7))
    # Minutes after 23:59:59 of the last day still accepted (RULES: choice, default none).
    grace_minutes: Mapped[int] = mapped_column(Integer, default=0)
    categories: Mapped[list] = mapped_column(JSON, default=list)   # [{"code", "label"}]
    industries: Mapped[list] = mapped_column(JSON, default=list)   # ["煤炭", ...]
    targets: Mapped[dict] = mapped_column(JSON, default=dict)      # {"state_owned": 0.9, ...}
    reminders: Mapped[dict] = mapped_column(JSON, default=dict)    # plan settings, issue 5
    # Per-season choices of later capabilities, one key each, documented where read; a missing
    # key means that capability's default. Read with `setting(key, default)`.
    settings: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")
    # The organising node (a city; a province for a provincial round): its admins run the season.
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    def setting(self, key: str, default=None):
        """The season's choice for `key` (see `settings`), or `default` when not set."""
        return (self.settings or {}).get(key, default)

    def phase_bounds_utc(self, phase: str) -> tuple[datetime, datetime]:
        start, end = getattr(self, f"{phase}_start"), getattr(self, f"{phase}_end")
        grace = self.grace_minutes if phase == "submit" else 0
        return china_day_start_utc(start), china_day_end_utc(end, grace)

    def phase_at(self, now: datetime | None = None) -> str | None:
        now = now or utcnow()
        for phase in PHASES:
            start, end = self.phase_bounds_utc(phase)
            if start <= now < end:
                return phase
        return None

    def submission_open(self, now: datetime | None = None) -> bool:
        start, end = self.phase_bounds_utc("submit")
        return start <= (now or utcnow()) < end
