"""When units may file 附件5 (优胜单位) applications and by when the county (or industry union) and
the city give their opinions: a season setting `winner_window` (Season.settings), China dates:

    {"file_from": "2026-11-01", "file_until": "2026-11-30", "county_by": "2026-12-10", "city_by": "2026-12-20"}

Each date is optional: an unset one sets no limit on its side (a season without the setting
files at any time, as before). The notice gives no dates (RULES.md 三、优胜单位奖: counties
recommend, the city office checks); the city office sets them per season.

    window(season) -> {"file_from": date | None, ...}
    filing_problem(season, today) -> AppError | None        (409 with the dates, in Chinese)
    opinion_problem(season, level, today) -> AppError | None (level "county" | "city")
    set_window(user, season_id, values) -> dict             (season.manage; FieldErrors; audited)
"""
from __future__ import annotations

from datetime import date

from ...errors import AppError, Conflict, FieldErrors
from ...extensions import db
from ...models import Season, User
from ...texts import t
from .. import policy
from ..audit import record
from ..seasons import get_season

FIELDS = ("file_from", "file_until", "county_by", "city_by")
# Pairs that must not run backwards: (earlier, later).
ORDER = (("file_from", "file_until"), ("file_until", "county_by"), ("file_from", "county_by"),
         ("county_by", "city_by"), ("file_until", "city_by"))
SETTING = "winner_window"


def window(season: Season) -> dict[str, date | None]:
    raw = (season.settings or {}).get(SETTING) or {}
    out = {}
    for field in FIELDS:
        try:
            out[field] = date.fromisoformat(raw[field]) if raw.get(field) else None
        except (TypeError, ValueError):
            out[field] = None         # a hand-edited bad value limits nothing rather than break filing
    return out


def filing_problem(season: Season, today: date) -> AppError | None:
    """Why a unit cannot file today, or None."""
    w = window(season)
    if w["file_from"] and today < w["file_from"]:
        return Conflict("awards.errors.filing_not_open", code="filing_not_open", field="season_id",
                        start=w["file_from"].isoformat(), end=_end(w["file_until"]))
    if w["file_until"] and today > w["file_until"]:
        return Conflict("awards.errors.filing_closed", code="filing_closed", field="season_id",
                        end=w["file_until"].isoformat())
    return None


def opinion_problem(season: Season, level: str, today: date) -> AppError | None:
    """Why the county's or the city's opinion cannot be given today (past its due date), or None."""
    due = window(season)[f"{level}_by"]
    if due and today > due:
        return Conflict("awards.errors.opinion_closed", code="opinion_closed", field="level",
                        level_label=t(f"awards.window.levels.{level}"), due=due.isoformat())
    return None


def _end(day: date | None) -> str:
    return day.isoformat() if day else t("awards.window.no_limit")


def set_window(user: User, season_id: int, values: dict) -> dict[str, date | None]:
    """The city office sets the dates (each "" to clear). Every wrong field is named at once
    (FieldErrors); nothing is saved unless all pass; the change is audited with before/after."""
    season = get_season(season_id)
    policy.require(user, "season.manage", season)
    errors: dict[str, str] = {}
    clean: dict[str, date | None] = {}
    for field in FIELDS:
        raw = values.get(field)
        text = raw.strip() if isinstance(raw, str) else "" if raw is None else str(raw)
        if not text:
            clean[field] = None
            continue
        try:
            clean[field] = date.fromisoformat(text)
        except ValueError:
            errors[field] = t("awards.window.errors.date", label=t(f"awards.window.fields.{field}"), value=text[:20])
    for earlier, later in ORDER:
        a, b = clean.get(earlier), clean.get(later)
        if a and b and b < a and later not in errors:
            errors[later] = t("awards.window.errors.order", label=t(f"awards.window.fields.{later}"),
                              other=t(f"awards.window.fields.{earlier}"), value=a.isoformat())
    if errors:
        raise FieldErrors(errors)
    # The settings are one JSON value shared by several editors (publicity days, reminders…):
    # read-modify-write under the season's row lock so two saves do not lose one another.
    db.session.refresh(season, with_for_update=True)
    before = {k: v.isoformat() if v else None for k, v in window(season).items()}
    after = {k: v.isoformat() if v else None for k, v in clean.items()}
    if before != after:
        season.settings = {**(season.settings or {}), SETTING: after}
        record(user, "winner_window_set", "season", season.id, data={"before": before, "after": after})
    db.session.commit()
    return clean
