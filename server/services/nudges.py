"""Drafts left unfinished: once a draft has not been touched for a while (24 hours by default,
`reminders.nudge_after_hours` per season, checked with the rest of the calendar) while its season's submission window is open, its
author hears about it once — an outbox event per draft, whatever the number of workers — unless
the participants' own deadline (review.deadlines.participants) has passed."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import Entry, OutboxEvent, Season
from ..timeutil import to_china, utcnow
from . import outbox
from .reminder_plan import in_quiet_hours, participants_last_day, settings

KIND = "draft_unfinished"
BATCH = 1000


def dedupe_key(entry_id: int) -> str:
    return f"{KIND}:entry:{entry_id}"


def open_seasons(today) -> list[Season]:
    return list(db.session.scalars(select(Season).where(Season.submit_start <= today, Season.submit_end >= today)))


def nudge_unfinished() -> int:
    """Emit one `draft_unfinished` event per idle draft not nudged before; returns how many."""
    now = utcnow()
    local = to_china(now)
    emitted = 0
    for season in open_seasons(local.date()):
        cfg = settings(season)
        if cfg.get("paused") or in_quiet_hours(local, cfg):
            continue                          # not at night: the next run after 08:00 does it
        if participants_last_day(season) < local.date():
            continue                          # their own deadline has passed: nothing to finish for
        idle_since = now - timedelta(hours=int(cfg["nudge_after_hours"]))
        ids = list(db.session.scalars(select(Entry.id).where(
            Entry.season_id == season.id, Entry.status == "draft", Entry.updated_at < idle_since)
            .order_by(Entry.id).limit(BATCH * 10)))
        for start in range(0, len(ids), BATCH):
            emitted += _emit_new(ids[start:start + BATCH])
    if emitted:
        outbox.relay_soon()
    return emitted


def _emit_new(ids: list[int]) -> int:
    keys = {dedupe_key(i): i for i in ids}
    done = set(db.session.scalars(select(OutboxEvent.dedupe_key).where(OutboxEvent.dedupe_key.in_(keys))))
    emitted = 0
    for key, entry_id in keys.items():
        if key in done:
            continue
        try:
            with db.session.begin_nested():   # another worker may write the same key meanwhile
                outbox.emit(KIND, dedupe_key=key, entry_id=entry_id)
            emitted += 1
        except IntegrityError:
            continue                          # that worker's event stands; this one is not needed
    db.session.commit()
    return emitted
