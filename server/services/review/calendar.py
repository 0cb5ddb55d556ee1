"""The review chain's calendar: per-level deadlines inside 成果申报 (RULES.md: participants by day
5, units by day 8, counties by day 10 of the window by default; the city accepts in 考核评选).

Season setting `review.deadlines` = {"participants": "YYYY-MM-DD", "unit": ..., "county": ...}
(China dates; a missing key takes the default day of the window, never past its last day).
Order: participants < unit < county ≤ end of 成果申报; city acceptance is the review phase.
A returned entry's reply-by date overrides the participant's deadline for that entry.

Setting `review.phases` = {"unit": ["submit"], "county": ["submit"], "city": ["submit", "review"]}:
the phases in which each level may act (the default shown)."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from ...errors import ValidationError
from ...models import Entry, Season
from ...texts import t
from ...timeutil import china_day_end_utc, utcnow

DEFAULT_DAY = {"participants": 5, "unit": 8, "county": 10}     # day n of the 成果申报 window
DEFAULT_PHASES = {"unit": ("submit",), "county": ("submit",), "city": ("submit", "review")}
ORDER = ("participants", "unit", "county")
REMIND_DAYS = 3          # season setting review.remind_days: reviewers hear in their level's last days


def deadlines(season: Season) -> dict[str, date]:
    """{"participants", "unit", "county", "city"}: the last day (China time) of each level."""
    given = season.setting("review.deadlines", {}) or {}
    out: dict[str, date] = {}
    for key in ORDER:
        if given.get(key):
            out[key] = date.fromisoformat(str(given[key]))
        else:
            out[key] = min(season.submit_start + timedelta(days=DEFAULT_DAY[key] - 1), season.submit_end)
    out["city"] = season.review_end
    return out


def remind_days(season: Season) -> int:
    """How many days up to its deadline a level's reviewers are reminded (1 to 30)."""
    try:
        days = int(season.setting("review.remind_days", REMIND_DAYS))
    except (TypeError, ValueError):
        return REMIND_DAYS
    return min(max(days, 1), 30)


def check(season: Season) -> None:
    """The levels' deadlines and phases; raises ValidationError in Chinese. The phases' own order
    is reminder_plan.check_calendar's, which plan() runs first (one direction: the plan reads
    this module, never the reverse)."""
    given = season.setting("review.deadlines", {}) or {}
    for key, value in given.items():
        if key not in ORDER:
            raise ValidationError("review.errors.deadline_unknown", code="season_dates", field=key, key=key[:20])
        try:
            date.fromisoformat(str(value))
        except ValueError:
            raise ValidationError("review.errors.deadline_not_date", code="season_dates", field=key,
                                  level=t(f"review.levels.{key}"), value=str(value)[:20])
    for level, phases in (season.setting("review.phases", {}) or {}).items():
        if level not in DEFAULT_PHASES or not phases or any(p not in ("organise", "submit", "review", "publish")
                                                            for p in phases):
            raise ValidationError("review.errors.phases_invalid", code="season_dates", field=str(level)[:20])
    if not given:
        return          # the defaults (clipped to the window; they coincide on windows under 3 days)
    d = deadlines(season)
    if not season.submit_start <= d["participants"]:
        raise ValidationError("review.errors.deadline_before_window", code="season_dates", field="participants",
                              start=season.submit_start.isoformat())
    for first, second in zip(ORDER, ORDER[1:]):
        if not d[first] < d[second]:
            raise ValidationError("review.errors.deadline_order", code="season_dates", field=second,
                                  first=t(f"review.levels.{first}"), second=t(f"review.levels.{second}"),
                                  first_day=d[first].isoformat(), second_day=d[second].isoformat())
    if d["county"] > season.submit_end:
        raise ValidationError("review.errors.deadline_after_window", code="season_dates", field="county",
                              end=season.submit_end.isoformat())


def phases(season: Season, level: str) -> tuple[str, ...]:
    return tuple((season.setting("review.phases", {}) or {}).get(level) or DEFAULT_PHASES[level])


def participant_deadline(entry: Entry, reply_by: date | None) -> date:
    """The last day this entry's filer may (re)submit: the reply-by date of a return, else the
    season's participants' deadline."""
    return reply_by or deadlines(entry.season)["participants"]


def submit_closed(entry: Entry, reply_by: date | None, now: datetime | None = None):
    """A refusal (AppError) when the filer's own deadline has passed, else None."""
    from ...errors import AppError
    last = participant_deadline(entry, reply_by)
    if (now or utcnow()) >= china_day_end_utc(last, entry.season.grace_minutes):
        return AppError("review.errors.participant_deadline_passed", code="window_closed", status=409,
                        end=last.isoformat())
    return None


def for_person(season: Season, level: str | None) -> dict:
    """What a person is shown: their own last day (a reviewer's level, or the participants')."""
    d = deadlines(season)
    key = level or "participants"
    return {"level": key, "deadline": d[key].isoformat(), "label": t(f"review.levels.{key}"),
            "all": {k: v.isoformat() for k, v in d.items()}}
