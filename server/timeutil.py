"""Times are stored as naive UTC; people and season dates live in China time."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def to_china(dt: datetime) -> datetime:
    return dt.replace(tzinfo=timezone.utc).astimezone(CHINA)


def china_today(now: datetime | None = None) -> date:
    return to_china(now or utcnow()).date()


def china_day_start_utc(day: date) -> datetime:
    """The UTC instant at which a China-time calendar day begins."""
    return datetime.combine(day, time.min, CHINA).astimezone(timezone.utc).replace(tzinfo=None)


def china_day_end_utc(day: date, grace_minutes: int = 0) -> datetime:
    """The UTC instant just after a China-time day ends (23:59:59 that day), plus grace."""
    return china_day_start_utc(day + timedelta(days=1)) + timedelta(minutes=grace_minutes)
