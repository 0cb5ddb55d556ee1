"""Reminders for returned entries (退回修改) whose reviewer gave a reply-by date later than the
participants' deadline (review/calendar.participant_deadline: the reply-by date replaces it for
that entry, and submitting is open until then). The season's planned slots (reminder_plan) stop
at the participants' last day; from the day after it, such an entry's filer is reminded each
morning of the last REMIND_DAYS days up to its reply-by date, never after it, never in the
season's quiet hours, not while its reminders are paused — one outbox event per entry and day
(`reply_due`, dedupe key reply_due:entry:<id>:<day>), delivered on the `deadline_reminder`
template and its consents like the planned reminders (notify.py).

    remind_returned() -> number of events emitted          (commits; every 10 minutes)
    recipients(payload) -> [(user id, template, values)]    (the notify handler)
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import Entry, EntryReview
from ..timeutil import to_china, utcnow
from . import outbox
from .reminder_plan import in_quiet_hours, participants_last_day, settings

KIND = "reply_due"
REMIND_DAYS = 3          # as the planned reminders' last three days (reminder_plan.plan)


def dedupe_key(entry_id: int, day: date) -> str:
    return f"{KIND}:entry:{entry_id}:{day.isoformat()}"


def due(reply_by: date, last_day: date, today: date) -> bool:
    """Is today a reminder day for an entry due on reply_by, its season's participants' last day
    being last_day? After last_day (the planned slots cover up to it), within the last
    REMIND_DAYS days up to reply_by, and not after it."""
    return last_day < today <= reply_by and (reply_by - today).days < REMIND_DAYS


def remind_returned() -> int:
    local = to_china(utcnow())
    today = local.date()
    rows = db.session.execute(select(Entry, EntryReview.reply_by).join(EntryReview, EntryReview.entry_id == Entry.id)
                              .where(Entry.status == "returned", EntryReview.reply_by >= today)
                              .order_by(Entry.id)).all()
    emitted = 0
    for entry, reply_by in rows:
        cfg = settings(entry.season)
        if cfg.get("paused") or in_quiet_hours(local, cfg):
            continue                          # a run after the quiet hours end does it
        if not due(reply_by, participants_last_day(entry.season), today):
            continue
        try:
            with db.session.begin_nested():   # another worker (or an earlier run today) wrote it
                outbox.emit(KIND, dedupe_key=dedupe_key(entry.id, today), entry_id=entry.id)
            emitted += 1
        except IntegrityError:
            continue
    db.session.commit()
    if emitted:
        outbox.relay_soon()
    return emitted


def recipients(payload: dict) -> list[tuple[int, str, dict]]:
    """The filer (the e-station agent for a farmer's entry), while the entry is still returned
    and its reply-by date has not passed; nothing once it was resubmitted or withdrawn."""
    entry = db.session.get(Entry, payload["entry_id"])
    review = db.session.get(EntryReview, payload["entry_id"])
    if entry is None or entry.status != "returned" or review is None or review.reply_by is None:
        return []
    if review.reply_by < to_china(utcnow()).date():
        return []
    values = {"season": entry.season.name, "deadline": f"{review.reply_by.isoformat()} 23:59"}
    return [(entry.created_by_id, "deadline_reminder", values)]
