"""The reminder plan of a season, computed from its calendar (China time): 7 days before the
window opens, the opening morning, the middle, each of the last three days, and the last
morning; and for the reviewers of each level (unit, county, city) each morning of the last days
before their level's deadline (review_slots) — never inside quiet hours (21:00–08:00 by
default: moved to when they end).

Quiet hours are a window [quiet_start, quiet_end) of China time: one that crosses midnight
(21:00–08:00) or not (00:00–07:00, 12:00–14:00); start = end (an empty window) is refused. A
reminder that moving out of quiet hours would push past the end of the submission window
(its last day, 23:59) is moved back instead, to the last minute before those quiet hours began."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from ..errors import ValidationError
from ..models import Season
from ..texts import lookup
from ..timeutil import CHINA

# Largest accepted values: a year ahead, a year idle.
LIMITS = {"days_before_open": 365, "nudge_after_hours": 24 * 365}
DEFAULTS = {"days_before_open": 7, "morning": "09:00", "evening": "18:00",
            "quiet_start": "21:00", "quiet_end": "08:00",
            "nudge_after_hours": 24}     # services/nudges.py: a draft idle this long is nudged once


@dataclass(frozen=True)
class Slot:
    key: str
    at: datetime          # naive UTC


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def settings(season: Season) -> dict:
    return {**DEFAULTS, **(season.reminders or {})}


def _quiet(cfg: dict) -> tuple[time, time]:
    return _clock(cfg["quiet_start"]), _clock(cfg["quiet_end"])


def in_quiet_hours(local: datetime, cfg: dict) -> bool:
    """Is this China-time moment inside the season's quiet hours?"""
    start, end = _quiet(cfg)
    t = local.time()
    if start <= end:                       # 00:00–07:00: the same day (start = end is refused)
        return start <= t < end
    return t >= start or t < end           # 21:00–08:00: across midnight


def outside_quiet_hours(local: datetime, cfg: dict, latest: datetime | None = None) -> datetime:
    """`local` itself, or the moment its quiet hours end; if that is after `latest` (the end of
    the submission window), the last minute before those quiet hours began instead."""
    if not in_quiet_hours(local, cfg):
        return local
    start, end = _quiet(cfg)
    began = local.date()
    if start > end and local.time() < end:  # after midnight in a window that began yesterday
        began -= timedelta(days=1)
    ends_on = began + timedelta(days=1) if start > end else began
    moved = datetime.combine(ends_on, end, CHINA)
    if latest is not None and moved > latest:
        moved = datetime.combine(began, start, CHINA) - timedelta(minutes=1)
    return moved


def participants_last_day(season: Season) -> date:
    """The participants' own last day to submit, China time: the review chain's participants'
    deadline (review/calendar.py; day 5 of the window by default, issue 15 item 1), which
    submitting enforces (review/calendar.submit_closed) — so the reminders aim at it too."""
    from .review.calendar import deadlines
    return deadlines(season)["participants"]


def window_end(season: Season) -> datetime:
    """The last minute participants may submit, China time (participants_last_day)."""
    return datetime.combine(participants_last_day(season), time(23, 59), CHINA)


def _at(day: date, clock: str, cfg: dict, latest: datetime) -> datetime:
    local = outside_quiet_hours(datetime.combine(day, _clock(clock), CHINA), cfg, latest)
    return local.astimezone(timezone.utc).replace(tzinfo=None)


PHASE_ORDER = ("organise", "submit", "review", "publish")
CLOCK = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


def check_calendar(season: Season) -> None:
    """Refuse, before anything is planned or sent, a season whose dates are out of order or
    whose reminder settings cannot be read — saying what is wrong, in Chinese."""
    for phase in PHASE_ORDER:
        start, end = getattr(season, f"{phase}_start"), getattr(season, f"{phase}_end")
        if start is None or end is None or start > end:
            raise ValidationError("errors.season_phase_order", code="season_dates", field=f"{phase}_end",
                                  phase=lookup(f"catalog.phases.{phase}"), start=start, end=end)
    for before, after in zip(PHASE_ORDER, PHASE_ORDER[1:]):
        if getattr(season, f"{before}_end") > getattr(season, f"{after}_start"):
            raise ValidationError("errors.season_phase_overlap", code="season_dates", field=f"{after}_start",
                                  first=lookup(f"catalog.phases.{before}"), second=lookup(f"catalog.phases.{after}"))
    cfg = settings(season)
    for key in ("morning", "evening", "quiet_start", "quiet_end"):
        if not CLOCK.fullmatch(str(cfg[key])):
            raise ValidationError("errors.season_reminder_clock", code="season_reminders", field=key,
                                  setting=key, value=str(cfg[key])[:20])
    if cfg["quiet_start"] == cfg["quiet_end"]:
        raise ValidationError("quiet_hours.empty", code="season_reminders", field="quiet_end",
                              start=cfg["quiet_start"], end=cfg["quiet_end"])
    if not str(cfg["nudge_after_hours"]).isdigit() or int(cfg["nudge_after_hours"]) < 1:
        raise ValidationError("errors.season_reminder_days", code="season_reminders", field="nudge_after_hours",
                              setting="nudge_after_hours", value=str(cfg["nudge_after_hours"])[:20])
    if not str(cfg["days_before_open"]).isdigit():
        raise ValidationError("errors.season_reminder_days", code="season_reminders", field="days_before_open",
                              setting="days_before_open", value=str(cfg["days_before_open"])[:20])
    for key, most in LIMITS.items():     # beyond these a timedelta overflows (the nudge job then fails)
        if int(cfg[key]) > most:
            raise ValidationError("errors.season_reminder_range", code="season_reminders", field=key,
                                  setting=key, value=str(cfg[key])[:20], max=most)


REVIEW_PREFIX = "review_"


def review_slots(season: Season, cfg: dict) -> list[Slot]:
    """Reviewers of each level (unit, county, city) are reminded each morning of the last
    `review.remind_days` days up to their level's deadline (review/calendar.py) — the city's
    in the review phase, after the submission window. Keys: review_<level>_<days left>. A slot
    runs for that level's reviewers only (reminders.audience), and only those with entries
    waiting hear anything."""
    from .review.calendar import deadlines, remind_days
    out = []
    days = remind_days(season)
    for level, last in deadlines(season).items():
        if level == "participants":
            continue
        latest = datetime.combine(last, time(23, 59), CHINA)
        for n in range(days - 1, -1, -1):
            day = last - timedelta(days=n)
            if day >= season.submit_start:
                out.append(Slot(f"{REVIEW_PREFIX}{level}_{n}", _at(day, cfg["morning"], cfg, latest)))
    return out


def review_level(key: str) -> str | None:
    """The level a review slot's key names (None for the participants' slots)."""
    if not key.startswith(REVIEW_PREFIX):
        return None
    return key[len(REVIEW_PREFIX):].rsplit("_", 1)[0]


def plan(season: Season) -> list[Slot]:
    from .review.calendar import check as check_review_calendar
    from .review.quotas import check_setting as check_quotas
    check_calendar(season)              # the phases in order, then the review chain's deadlines
    check_review_calendar(season)
    check_quotas(season)
    cfg = settings(season)
    start, end = season.submit_start, participants_last_day(season)
    middle = start + (end - start) // 2
    latest = window_end(season)
    slots = [Slot("before_open", _at(start - timedelta(days=int(cfg["days_before_open"])), cfg["morning"], cfg, latest)),
             Slot("opening", _at(start, cfg["morning"], cfg, latest)),
             Slot("middle", _at(middle, cfg["morning"], cfg, latest))]
    for n in (2, 1, 0):
        day = end - timedelta(days=n)
        if day > middle:
            slots.append(Slot(f"last_days_{n}", _at(day, cfg["evening"], cfg, latest)))
    slots.append(Slot("last_morning", _at(end, cfg["morning"], cfg, latest)))
    slots += review_slots(season, cfg)
    unique = {s.key: s for s in slots}
    return sorted(unique.values(), key=lambda s: (s.at, s.key))
