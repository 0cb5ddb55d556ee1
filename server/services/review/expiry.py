"""Entries a level did not pass on by its deadline become `not_recommended` (issue 15 item 3),
through the status machine with no actor (status.transition by_deadline), audited and notified.

A level's deadline for an entry is the season's (review/calendar.py), moved later for an entry
resubmitted after a return by as much as its reply-by date lies past the participants' deadline,
so reviewers keep the same time for it. Run hourly (workers/review.py); safe to run again."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ...extensions import db
from ...models import Entry, EntryReview, Season
from ...texts import t
from ...timeutil import china_day_end_utc, utcnow
from .. import outbox, status
from .calendar import deadlines

LEVELS = ("unit", "county")      # the city accepts in the review phase; scoring (issue 16) follows


def due(season: Season, review: EntryReview, level: str):
    d = deadlines(season)
    last = d[level]
    if review.reply_by is not None and review.reply_by > d["participants"]:
        last = last + (review.reply_by - d["participants"])
    return last


def expire_overdue(now: datetime | None = None) -> int:
    now = now or utcnow()
    waits = status.waiting_for()
    closed = 0
    for season in db.session.scalars(select(Season)):
        for level in LEVELS:
            query = select(Entry, EntryReview).join(EntryReview, EntryReview.entry_id == Entry.id).where(
                Entry.season_id == season.id, Entry.status.in_(waits[level]))
            if level == "county":
                query = query.where(EntryReview.county_org_id.is_not(None))
            for entry, review in db.session.execute(query).all():
                last = due(season, review, level)
                if now < china_day_end_utc(last):
                    continue
                status.transition(entry, "not_recommend", None, by_deadline=True,
                                  reason=t("review.deadline_reason", level=t(f"review.levels.{level}"),
                                           day=last.isoformat()),
                                  data={"level": level, "by": "deadline"})
                closed += 1
    db.session.commit()
    if closed:
        outbox.relay_soon()
    return closed
