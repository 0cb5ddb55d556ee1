"""Reminders: the season's plan kept as slots, each run once by RQ's scheduler (enqueue_at)
or, if its job was lost, by the periodic sweep; each (slot, user) delivered at most once."""
from __future__ import annotations

import logging
from datetime import date, timedelta, timezone

from redis.exceptions import RedisError
from rq.exceptions import NoSuchJobError
from rq.job import Job
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db, queue, redis_client
from ..models import Delivery, Entry, EntryReview, ReminderSlot, Season
from ..timeutil import to_china, utcnow
from . import fanout
from .reminder_plan import in_quiet_hours, participants_last_day, plan, review_level, settings
from .review.calendar import deadlines
from .review.notices import reviewer_audience
from .status import EDITABLE

log = logging.getLogger(__name__)
UNFINISHED = EDITABLE


def epoch(slot: ReminderSlot) -> int:
    return int(slot.send_at.replace(tzinfo=timezone.utc).timestamp())


def replan(season: Season) -> list[ReminderSlot]:
    """Bring the slots in line with the season's calendar; slots already run stay as they were."""
    desired = {s.key: s.at for s in plan(season)}
    slots = {s.key: s for s in db.session.scalars(select(ReminderSlot).where(ReminderSlot.season_id == season.id))}
    for key, at in desired.items():
        slot = slots.get(key)
        if slot is None:
            slots[key] = ReminderSlot(season_id=season.id, key=key, send_at=at, status="planned")
            db.session.add(slots[key])
        elif slot.status != "done":
            slot.send_at, slot.status = at, "planned"
    for key, slot in slots.items():
        if key not in desired and slot.status == "planned":
            slot.status = "cancelled"
    db.session.commit()
    planned = [s for s in slots.values() if s.status == "planned" and s.send_at > utcnow()]
    for slot in planned:
        schedule(slot)
    return sorted(slots.values(), key=lambda s: s.send_at)


def schedule(slot: ReminderSlot) -> None:
    job_id = f"reminder-{slot.id}-{epoch(slot)}"
    try:
        try:
            Job.fetch(job_id, connection=redis_client())
        except NoSuchJobError:
            queue("low").enqueue_at(slot.send_at.replace(tzinfo=timezone.utc), "workers.reminders.run_slot",
                                    slot.id, epoch(slot), job_id=job_id, result_ttl=86400)
    except RedisError as exc:
        log.warning("could not schedule reminder %s (%s); the sweep will run it", slot.id, exc)


def audience(season: Season, key: str | None = None) -> list[tuple[int, str, dict]]:
    """(user, template, values) of a slot: a review slot (review_<level>_<n>) reaches that
    level's admins with entries waiting; the others reach people with drafts or returned entries
    to finish, each told their own nearest last day (own_deadlines)."""
    level = review_level(key) if key else None
    if level is not None:
        return reviewer_audience(season, levels=(level,))
    return [(uid, "deadline_reminder", {"season": season.name, "deadline": f"{last.isoformat()} 23:59"})
            for uid, last in own_deadlines(season).items()]


def own_deadlines(season: Season) -> dict[int, date]:
    """{filer: the nearest own last day still ahead} over their unfinished entries: a draft's is
    the participants' deadline, a returned entry's its reply-by date (review/calendar.
    participant_deadline) — an entry whose own day has passed is not reminded of any more.

    Reads three columns, not the entries: a city's slot has 100,000 of them, and loading each
    as an object (and the season's deadlines again per entry) was most of the fan-out
    benchmark's time before its first send."""
    today = to_china(utcnow()).date()
    participants = deadlines(season)["participants"]
    rows = db.session.execute(select(Entry.created_by_id, Entry.status, EntryReview.reply_by)
                              .outerjoin(EntryReview, EntryReview.entry_id == Entry.id)
                              .where(Entry.season_id == season.id, Entry.status.in_(UNFINISHED)))
    out: dict[int, date] = {}
    for filer, status, reply_by in rows:
        last = (reply_by if status == "returned" else None) or participants     # participant_deadline's rule
        if last >= today and (filer not in out or last < out[filer]):
            out[filer] = last
    return out


def paused(season: Season) -> bool:
    return bool(settings(season).get("paused"))


BATCH = 1000         # deliveries per job when a slot fans out to several workers


def run_slot(slot_id: int, planned_epoch: int | None = None) -> str:
    slot = db.session.get(ReminderSlot, slot_id)
    if slot is None or slot.status != "planned":
        return "skipped"
    if planned_epoch is not None and planned_epoch != epoch(slot):
        return "moved"                       # the season's dates changed; a newer job exists
    season = db.session.get(Season, slot.season_id)
    now_local = to_china(utcnow())
    if paused(season) or in_quiet_hours(now_local, settings(season)):
        return "deferred"                    # the sweep tries again
    people = audience(season, slot.key)
    if len(people) <= BATCH:
        fanout.deliver_many(_deliveries_for(slot, people))
    else:                                    # a city's worth: let every worker take a share,
        for ids in _pending_in_batches(slot, people):   # each batch as soon as its rows exist
            enqueue_batch(ids)
    slot.status, slot.ran_at = "done", utcnow()
    db.session.commit()
    return "done"


def _deliveries_for(slot: ReminderSlot, people: list[tuple[int, str, dict]]) -> list[int]:
    """Create the slot's deliveries (once, in bulk) and return the ids still pending."""
    return [i for ids in _pending_in_batches(slot, people) for i in ids]


def _pending_in_batches(slot: ReminderSlot, people: list[tuple[int, str, dict]]):
    """Create the slot's deliveries BATCH people at a time and yield each batch's ids still
    pending as soon as its rows are committed, so the first sends start while the rest of a
    city's 100,000 rows are written (they used to wait for all of them: 20-50 s of the fan-out
    bench). A run that died half-way finds its rows and carries on; two runs at once collide
    on the unique key."""
    prefix = f"reminder:{slot.id}:user:"
    existing = set(db.session.scalars(select(Delivery.dedupe_key).where(Delivery.dedupe_key.like(prefix + "%"))))
    for start in range(0, len(people), BATCH):
        keys = [f"{prefix}{uid}" for uid, _, _ in people[start:start + BATCH]]
        rows = [{"dedupe_key": key, "user_id": uid, "template": template, "data": values,
                 "status": "pending", "attempts": 0, "created_at": utcnow()}
                for key, (uid, template, values) in zip(keys, people[start:start + BATCH]) if key not in existing]
        if rows:
            try:
                db.session.execute(insert(Delivery), rows)
                db.session.commit()
            except IntegrityError:           # another run inserted some of these meanwhile
                db.session.rollback()
                for row in rows:
                    db.session.add(Delivery(**row))
                    try:
                        db.session.commit()
                    except IntegrityError:
                        db.session.rollback()
        ids = list(db.session.scalars(select(Delivery.id).where(
            Delivery.dedupe_key.in_(keys), Delivery.status == "pending").order_by(Delivery.id)))
        if ids:
            yield ids


def enqueue_batch(ids: list[int]) -> None:
    try:
        queue("low").enqueue("workers.reminders.deliver_batch", ids, job_timeout=1800, result_ttl=3600)
    except RedisError as exc:
        log.warning("could not queue %d deliveries (%s); the sweep will send them", len(ids), exc)


def deliver_batch(ids: list[int]) -> int:
    return fanout.deliver_many(ids)


def stranded(older_than: timedelta = timedelta(minutes=10)) -> list[int]:
    """Pending reminder deliveries whose batch job was lost."""
    return list(db.session.scalars(select(Delivery.id).where(
        Delivery.status == "pending", Delivery.dedupe_key.like("reminder:%"),
        Delivery.created_at < utcnow() - older_than).order_by(Delivery.id).limit(10 * BATCH)))


def sweep() -> list[int]:
    """Slots whose time has passed but which have not run (their job was lost, or quiet hours or
    a pause held them back), and deliveries whose batch job was lost. Of a season's overdue slots
    for one audience (the participants; each level's reviewers) only the latest is sent — people
    get one reminder, not a backlog of stale ones — and none once that audience's last day
    (the submission window's, the level's deadline) has passed; the rest are marked `missed`."""
    due = db.session.scalars(select(ReminderSlot).where(
        ReminderSlot.status == "planned", ReminderSlot.send_at <= utcnow() - timedelta(seconds=60))
        .order_by(ReminderSlot.send_at.desc(), ReminderSlot.id.desc())).all()
    latest: dict[tuple, ReminderSlot] = {}
    for slot in due:
        group = (slot.season_id, review_level(slot.key))
        if group not in latest and not _closed(db.session.get(Season, slot.season_id), group[1]):
            latest[group] = slot
        else:
            slot.status = "missed"
    db.session.commit()
    ran = [s.id for s in latest.values() if run_slot(s.id) == "done"]
    left = stranded()
    for start in range(0, len(left), BATCH):
        enqueue_batch(left[start:start + BATCH])
    return ran


def _closed(season: Season, level: str | None) -> bool:
    """The audience's last day has passed (China time): the window's, or the level's deadline."""
    last = participants_last_day(season) if level is None else deadlines(season)[level]
    return to_china(utcnow()).date() > last


def status(season: Season) -> dict:
    """What admins and the CLI see: slots, and deliveries by status."""
    slots = db.session.scalars(select(ReminderSlot).where(ReminderSlot.season_id == season.id)
                               .order_by(ReminderSlot.send_at)).all()
    return {"season": season.name, "paused": paused(season),
            "slots": [{"key": s.key, "send_at": to_china(s.send_at).strftime("%Y-%m-%d %H:%M"),
                       "status": s.status} for s in slots],
            "deliveries": _delivery_counts(slots)}


def _delivery_counts(slots: list[ReminderSlot]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for slot in slots:
        for st, n in db.session.execute(select(Delivery.status, func.count()).where(
                Delivery.dedupe_key.like(f"reminder:{slot.id}:user:%")).group_by(Delivery.status)):
            counts[st] = counts.get(st, 0) + n
    return counts


def set_paused(season: Season, value: bool) -> None:
    db.session.refresh(season, with_for_update=True)     # the reminders JSON is rewritten whole
    season.reminders = {**(season.reminders or {}), "paused": value}
    db.session.commit()

