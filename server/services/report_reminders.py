"""Reminders for missing monthly reports (issue 18 item 4): from a day of the month set per
season (`Season.settings["reports.remind_day"]`, default DEFAULT_DAY), the admins of each unit
that has not filed last month's report hear about it — one outbox event per unit and month,
however often the job runs and however many workers run it (the dedupe key decides). Not at
night (the season's quiet hours); only for months inside the season; retired units are left out.

    remind_missing() -> int            (events written this run)
The event `report_missing` goes to the unit's admins (those the policy table lets file it)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import Organisation, OutboxEvent, RoleAssignment, Season, UnitReport
from ..timeutil import to_china, utcnow
from . import outbox, policy
from .reminder_plan import in_quiet_hours, settings

KIND = "report_missing"
DEFAULT_DAY = 5
SETTING = "reports.remind_day"


def dedupe_key(org_id: int, month: str) -> str:
    return f"{KIND}:{org_id}:{month}"


def remind_day(season: Season) -> int:
    """The day of the month from which last month's missing reports are reminded (1–28)."""
    value = season.setting(SETTING, DEFAULT_DAY)
    return value if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 28 else DEFAULT_DAY


def _missing_units(season: Season, month: str) -> list[int]:
    filed = select(UnitReport.org_id).where(UnitReport.kind == "month", UnitReport.period == month,
                                            UnitReport.filed_at.is_not(None))
    query = select(Organisation.id).where(Organisation.kind == "unit", Organisation.retired_at.is_(None),
                                          Organisation.id.not_in(filed))
    if season.org_id is not None:
        root = db.session.get(Organisation, season.org_id)
        query = query.where(Organisation.path.startswith(root.path, autoescape=True))
    return list(db.session.scalars(query.order_by(Organisation.id)))


def remind_missing() -> int:
    now = utcnow()
    local = to_china(now)
    today = local.date()
    month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    emitted = 0
    seen: set[int] = set()
    for season in db.session.scalars(select(Season).where(Season.organise_start <= today,
                                                          Season.publish_end >= today).order_by(Season.id)):
        cfg = settings(season)
        if cfg.get("paused") or in_quiet_hours(local, cfg) or today.day < remind_day(season):
            continue
        if month < season.organise_start.strftime("%Y-%m"):
            continue                             # last month was before the season began
        for org_id in _missing_units(season, month):
            if org_id in seen:                   # two seasons over one unit: still once
                continue
            seen.add(org_id)
            emitted += _emit(org_id, month)
    db.session.commit()
    if emitted:
        outbox.relay_soon()
    return emitted


def _emit(org_id: int, month: str) -> int:
    key = dedupe_key(org_id, month)
    if db.session.scalar(select(OutboxEvent.id).where(OutboxEvent.dedupe_key == key)) is not None:
        return 0
    try:
        with db.session.begin_nested():          # another worker may write the same key meanwhile
            outbox.emit(KIND, dedupe_key=key, org_id=org_id, month=month)
    except IntegrityError:
        return 0
    return 1


def recipients(payload: dict) -> list[tuple[int, str, dict]]:
    """The notification handler: the unit's admins, unless the report was filed since."""
    org = db.session.get(Organisation, payload["org_id"])
    month = payload["month"]
    if org is None or org.retired_at is not None:
        return []
    filed = db.session.scalar(select(UnitReport.id).where(
        UnitReport.org_id == org.id, UnitReport.kind == "month", UnitReport.period == month,
        UnitReport.filed_at.is_not(None)))
    if filed is not None:
        return []
    roles = policy.roles_with("report.file", "subtree")
    users = db.session.scalars(select(RoleAssignment.user_id).where(
        RoleAssignment.org_id == org.id, RoleAssignment.role.in_(roles)).order_by(RoleAssignment.user_id))
    values = {"unit": org.name, "month": month.replace("-", "年") + "月"}
    return [(user_id, KIND, values) for user_id in dict.fromkeys(users)]
