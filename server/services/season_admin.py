"""Running seasons from the office console and /api/v1/admin/seasons (issue 14): create, edit,
copy from last year. Every field is checked here (both channels share it), all wrong fields at
once (FieldErrors, each with its Chinese message), then the calendar checks the reminders use
(reminder_plan.check_calendar); every change is audited and the reminders are re-planned."""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from ..errors import AppError, FieldErrors
from ..extensions import db
from ..models import Organisation, Season, User
from ..models.season import PHASES
from ..texts import lookup, t
from . import policy, reminders
from .audit import record
from .reminder_plan import DEFAULTS, check_calendar

DATES = tuple(f"{p}_{edge}" for p in PHASES for edge in ("start", "end"))
MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
ORGANISERS = ("city", "province")
SIMPLE = ("name", "year", "org_id", "achievement_from", "achievement_to", "grace_minutes",
          "categories", "industries") + DATES
FIELDS = SIMPLE + ("targets", "reminders")


def _msg(key: str, **params) -> str:
    return t(f"console.season_errors.{key}", **params)


def _date(raw) -> date:
    if isinstance(raw, date):
        return raw
    return date.fromisoformat(str(raw).strip())


def _split(raw) -> list[str]:
    if isinstance(raw, str):
        raw = re.split(r"[\n,，、;；]+", raw)
    return [str(x).strip() for x in (raw or []) if str(x).strip()]


class _Reader:
    """Parses one field at a time, collecting errors instead of stopping at the first."""

    def __init__(self):
        self.errors: dict[str, str] = {}

    def fail(self, field: str, key: str, **params):
        self.errors.setdefault(field, _msg(key, **params))

    def read(self, field: str, raw):
        try:
            return getattr(self, "_" + (field if field in ("name", "year", "org_id", "grace_minutes",
                                                            "categories", "industries") else
                                       "date" if field in DATES else "month"))(field, raw)
        except (ValueError, TypeError):
            self.fail(field, "date" if field in DATES else "month" if field.startswith("achievement")
                      else "number", value=str(raw)[:20])
            return None

    def _name(self, field, raw):
        name = str(raw or "").strip()
        if not 2 <= len(name) <= 100:
            self.fail(field, "name")
        return name

    def _year(self, field, raw):
        year = int(raw)
        if not 2000 <= year <= 2100:
            raise ValueError
        return year

    def _org_id(self, field, raw):
        return int(raw) if str(raw or "").strip() else None

    def _grace_minutes(self, field, raw):
        minutes = int(raw or 0)
        if not 0 <= minutes <= 1440:
            self.fail(field, "grace")
        return minutes

    def _categories(self, field, raw):
        known = lookup("catalog.categories")
        codes = [c.get("code") if isinstance(c, dict) else c for c in _split(raw) if c] \
            if not isinstance(raw, list) else [c.get("code") if isinstance(c, dict) else c for c in raw]
        unknown = [c for c in codes if c not in known]
        if unknown or not codes:
            self.fail(field, "categories", value="、".join(map(str, unknown))[:40])
        return [{"code": c, "label": known[c]} for c in known if c in codes]

    def _industries(self, field, raw):
        names = list(dict.fromkeys(_split(raw)))
        if not names or any(len(n) > 30 for n in names):
            self.fail(field, "industries")
        return names

    def _date(self, field, raw):
        return _date(raw)

    def _month(self, field, raw):
        text = str(raw or "").strip()
        if not MONTH.fullmatch(text):
            raise ValueError
        return text


def _targets(reader: _Reader, raw: dict) -> dict:
    out = {}
    for kind, value in (raw or {}).items():
        if kind not in lookup("catalog.unit_types"):
            reader.fail(f"targets.{kind}", "target_kind", value=str(kind)[:20])
            continue
        if value in (None, ""):
            continue
        try:
            number = float(value)
            if not 0 <= number <= 1:
                raise ValueError
            out[kind] = number
        except (ValueError, TypeError):
            reader.fail(f"targets.{kind}", "target", value=str(value)[:20])
    return out


def _reminders(reader: _Reader, raw: dict) -> dict:
    out = {}
    for key, value in (raw or {}).items():
        if key not in DEFAULTS:
            reader.fail(f"reminders.{key}", "reminder_key", value=str(key)[:30])
        elif value not in (None, ""):
            out[key] = int(value) if key in ("days_before_open", "nudge_after_hours") and str(value).isdigit() \
                else str(value).strip()
    return out


def _apply(actor: User, season: Season, data: dict) -> dict:
    """Set the given fields on `season`; return {field: [old, new]} of what changed."""
    reader = _Reader()
    unknown = [k for k in data if k not in FIELDS]
    for key in unknown:
        reader.fail(key, "unknown_field", value=key[:30])
    values = {f: reader.read(f, data[f]) for f in SIMPLE if f in data}
    if "targets" in data:
        values["targets"] = _targets(reader, data["targets"])
    if "reminders" in data:
        values["reminders"] = _reminders(reader, data["reminders"])
    _check_organiser(actor, season, values, reader)
    _check_name(season, values, reader)
    if reader.errors:
        raise FieldErrors(reader.errors)
    changes = {}
    for key, value in values.items():
        old = getattr(season, key)
        if old != value:
            changes[key] = [_plain(old), _plain(value)]
            setattr(season, key, value)
    _check_whole(season, reader)
    return changes


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value


def _check_organiser(actor: User, season: Season, values: dict, reader: _Reader) -> None:
    if "org_id" not in values:
        return
    org = db.session.get(Organisation, values["org_id"]) if values.get("org_id") else None
    if org is None or org.kind not in ORGANISERS or org.retired_at is not None:
        reader.fail("org_id", "organiser")
    elif not policy.can(actor, "season.manage", org):
        reader.fail("org_id", "organiser_not_yours", org=org.name)


def _check_name(season: Season, values: dict, reader: _Reader) -> None:
    name = values.get("name")
    if name and db.session.scalar(select(Season.id).where(Season.name == name, Season.id != (season.id or 0))):
        reader.fail("name", "name_taken", name=name)


def _check_whole(season: Season, reader: _Reader) -> None:
    """The rules between fields: the calendar (as the reminders judge it), the window."""
    for field in DATES + ("org_id", "name", "achievement_from", "achievement_to"):
        if getattr(season, field) is None:
            reader.fail(field, "required")
    if reader.errors:
        raise FieldErrors(reader.errors)
    if season.achievement_from > season.achievement_to:
        reader.fail("achievement_to", "window_order")
    try:
        check_calendar(season)
    except AppError as exc:
        field = exc.field if exc.field in DATES else f"reminders.{exc.field}"
        reader.errors.setdefault(field, exc.message)
    if reader.errors:
        raise FieldErrors(reader.errors)


def create(actor: User, data: dict) -> Season:
    season = Season(grace_minutes=0, categories=[], industries=[], targets={}, reminders={}, settings={})
    if "org_id" not in data:
        data = {**data, "org_id": None}
    try:
        with db.session.no_autoflush:
            changes = _apply(actor, season, data)
    except FieldErrors:
        db.session.rollback()
        raise
    policy.require(actor, "season.manage", season)
    if not season.year:
        season.year = season.submit_start.year
    db.session.add(season)
    db.session.flush()
    record(actor, "season_created", "season", season.id, data={"changes": changes})
    db.session.commit()
    reminders.replan(season)
    return season


def update(actor: User, season: Season, data: dict) -> Season:
    policy.require(actor, "season.manage", season)
    try:
        with db.session.no_autoflush:
            changes = _apply(actor, season, data)
    except FieldErrors:
        db.session.rollback()
        raise
    if changes:
        record(actor, "season_updated", "season", season.id, data={"changes": changes})
        db.session.commit()
        reminders.replan(season)
    return season


def _next_year(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:                     # 29 February
        return day.replace(year=day.year + 1, day=28)


def copy_values(actor: User, source: Season) -> dict:
    """The fields of a new season copied from `source`, every date a year later (a form to check
    and save, nothing stored yet)."""
    policy.require(actor, "season.manage", source)
    values = {f: getattr(source, f) for f in SIMPLE}
    for field in DATES:
        values[field] = _next_year(values[field])
    for field in ("achievement_from", "achievement_to"):
        year, month = values[field].split("-")
        values[field] = f"{int(year) + 1:04d}-{month}"
    values["year"] = source.year + 1
    values["name"] = source.name.replace(str(source.year), str(source.year + 1)) \
        if str(source.year) in source.name else f"{source.name}（{source.year + 1}）"
    values["categories"] = [c["code"] for c in source.categories]
    values["targets"], values["reminders"] = dict(source.targets or {}), dict(source.reminders or {})
    return values


def visible(actor: User) -> list[Season]:
    """The seasons whose organising node the actor may manage (a province admin: every city's)."""
    cond = policy.subtree_condition(actor, "season.manage")
    return list(db.session.scalars(select(Season).join(Organisation, Organisation.id == Season.org_id)
                                   .where(cond).order_by(Season.organise_start.desc())))


def organisers(actor: User) -> list[Organisation]:
    cond = policy.subtree_condition(actor, "season.manage")
    return list(db.session.scalars(select(Organisation).where(
        cond, Organisation.kind.in_(ORGANISERS), Organisation.retired_at.is_(None)).order_by(Organisation.path)))


def get_managed(actor: User, season_id: int) -> Season:
    from .seasons import get_season
    season = get_season(season_id)
    policy.require(actor, "season.manage", season)
    return season
