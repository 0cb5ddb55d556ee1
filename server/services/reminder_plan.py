"""The reminder plan of a season, computed from its calendar (China time): 7 days before the
window opens, the opening morning, the middle, each of the last three days, and the last
morning — never inside quiet hours (21:00–08:00 by default: moved to the next morning)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from ..models import Season
from ..timeutil import CHINA

DEFAULTS = {"days_before_open": 7, "morning": "09:00", "evening": "18:00",
            "quiet_start": "21:00", "quiet_end": "08:00"}


@dataclass(frozen=True)
class Slot:
    key: str
    at: datetime          # naive UTC


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def settings(season: Season) -> dict:
    return {**DEFAULTS, **(season.reminders or {})}


def outside_quiet_hours(local: datetime, cfg: dict) -> datetime:
    start, end = _clock(cfg["quiet_start"]), _clock(cfg["quiet_end"])
    t = local.timetz().replace(tzinfo=None)
    if t >= start:
        return datetime.combine(local.date() + timedelta(days=1), end, CHINA)
    if t < end:
        return datetime.combine(local.date(), end, CHINA)
    return local


def _at(day: date, clock: str, cfg: dict) -> datetime:
    local = outside_quiet_hours(datetime.combine(day, _clock(clock), CHINA), cfg)
    return local.astimezone(timezone.utc).replace(tzinfo=None)


def plan(season: Season) -> list[Slot]:
    cfg = settings(season)
    start, end = season.submit_start, season.submit_end
    middle = start + (end - start) // 2
    slots = [Slot("before_open", _at(start - timedelta(days=int(cfg["days_before_open"])), cfg["morning"], cfg)),
             Slot("opening", _at(start, cfg["morning"], cfg)),
             Slot("middle", _at(middle, cfg["morning"], cfg))]
    for n in (2, 1, 0):
        day = end - timedelta(days=n)
        if day > middle:
            slots.append(Slot(f"last_days_{n}", _at(day, cfg["evening"], cfg)))
    slots.append(Slot("last_morning", _at(end, cfg["morning"], cfg)))
    unique = {s.key: s for s in slots}
    return sorted(unique.values(), key=lambda s: (s.at, s.key))
