"""Statistics of a season for any subtree (issue 18): the 附件6 tables, the funnel and the
participation against the season's targets — computed live from entries, the registry and units'
monthly reports, each figure with how it was computed.

Definitions (RULES.md "Participation", a season setting `participation`, defaults below):
- a unit takes part when it has at least one collected entry (status other than draft or
  withdrawn) or a filed monthly report with at least one activity in the season's months
  (`participation.unit`: "entry_or_report" | "entry" | "report");
- people taking part in a unit are the largest participant count it reported in any month of the
  season (no report: 0); rates divide by the registry's counts (units, employee_count).
Money is 万元 (benefit_amount is 万元/年 as declared); "collected" entries exclude drafts and
withdrawn ones; "patented" is patent_granted; "applied" is in_production.

    annex6(user, org_id, season_id) -> dict   (Forbidden outside the user's subtree, NotFound)
    funnel(user, org_id, season_id) -> list[dict]
    participation(user, org_id, season_id) -> list[dict]
The work is two grouped SQL queries (entries by unit, reports by unit) and one subtree listing,
then sums in Python over at most the subtree's units.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import case, func, select

from ..errors import NotFound
from ..extensions import db
from ..models import Entry, Organisation, Season, UnitReport, User
from ..texts import lookup, t
from . import policy, tallies
from .seasons import get_season

NOT_COLLECTED = ("draft", "withdrawn")
ENTERPRISES = ("state_owned", "non_public")
TABLE2_SYSTEMS = ("youth_league", "science_association", "womens_federation")
# The funnel's stages in the order an entry climbs (DESIGN.md statuses).
STAGES = ("draft", "submitted", "unit_recommended", "county_recommended", "accepted", "scored", "decided")
_STAGE_OF = {"returned": "submitted", "not_recommended": "submitted", "ineligible": "submitted"}


@dataclass
class UnitFigures:
    org: UnitRow
    entries: int = 0
    patented: int = 0
    applied: int = 0
    benefit: Decimal = Decimal(0)
    people: int = 0
    active_report: bool = False
    promotions: int = 0             # confirmed per-person records, else the monthly reports' sum
    promotions_reported: int = 0    # the monthly reports' sum (what `promotions` falls back to)
    promotions_confirmed: int | None = None   # confirmed per-person records; None: the unit has none
    promotions_pending: int = 0     # per-person records not yet confirmed (not counted)
    takes_part: bool = False
    statuses: dict = field(default_factory=dict)     # status → entries (all, drafts included)


def _scope(user: User, org_id: int, season_id: int) -> tuple[Organisation, Season]:
    org = db.session.get(Organisation, org_id)
    if org is None:
        raise NotFound("stats.org_not_found", code="org_not_found")
    policy.require(user, "stats.view", org)
    return org, get_season(season_id)


def season_months(season: Season) -> tuple[str, str]:
    return season.organise_start.strftime("%Y-%m"), season.publish_end.strftime("%Y-%m")


@dataclass(frozen=True)
class UnitRow:
    """The columns of a registry node the statistics read (not an ORM object: a city has
    thousands of units, and loading them whole was a third of the answer's time)."""
    id: int
    kind: str
    path: str
    unit_type: str | None
    system: str | None
    employee_count: int | None
    model_key: bool

    def ancestor_ids(self) -> list[int]:
        return [int(p) for p in self.path.strip("/").split("/") if p]


def _units(org: Organisation) -> dict[int, UnitRow]:
    """Units (基层单位) of the subtree, retired ones left out (they are no longer counted)."""
    rows = db.session.execute(select(
        Organisation.id, Organisation.kind, Organisation.path, Organisation.unit_type, Organisation.system,
        Organisation.employee_count, Organisation.model_key).where(
        Organisation.path.startswith(org.path, autoescape=True), Organisation.kind.in_(("unit", "team")),
        Organisation.retired_at.is_(None)))
    return {r[0]: UnitRow(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6])) for r in rows}


def _area_of(org: Organisation, nodes: dict[int, UnitRow]) -> dict[int, int]:
    """unit id → the county or industry union inside org's subtree that it belongs to (the
    nearest one above it); units outside any (or org's own subtree being one unit) are left out."""
    area_ids = set(db.session.scalars(select(Organisation.id).where(
        Organisation.path.startswith(org.path, autoescape=True), Organisation.kind.in_(tallies.AREA_KINDS))))
    out = {}
    for unit_id, row in nodes.items():
        for ancestor in reversed(row.ancestor_ids()):
            if ancestor in area_ids:
                out[unit_id] = ancestor
                break
    return out


def _unit_of(org: UnitRow, units: dict[int, UnitRow]) -> int | None:
    """The unit an entry's 完成单位 counts for: itself, or for a team the nearest unit above."""
    for ancestor in reversed(org.ancestor_ids()):
        if ancestor in units and units[ancestor].kind == "unit":
            return ancestor
    return None


def figures(org: Organisation, season: Season) -> dict[int, UnitFigures]:
    """Per unit of the subtree: entries by status, patents, applied, benefit, people, taking part.
    The two queries read the whole season grouped by unit (a season belongs to one organising
    body, so that is at most its units × statuses rows) and keep the subtree's in Python: an IN
    list or a path subquery made PostgreSQL's planner pick nested loops (seconds at 100,000)."""
    nodes = _units(org)
    out = {i: UnitFigures(o) for i, o in nodes.items() if o.kind == "unit"}
    economic = case((Entry.benefit_kind == "economic", Entry.benefit_amount), else_=0)
    rows = db.session.execute(
        select(Entry.unit_id, Entry.status, func.count(),
               func.sum(case((Entry.patent_granted.is_(True), 1), else_=0)),
               func.sum(case((Entry.in_production.is_(True), 1), else_=0)), func.sum(economic))
        .where(Entry.season_id == season.id).group_by(Entry.unit_id, Entry.status))
    targets: dict[int, int | None] = {}       # node → the unit it counts for, worked out once per node
    for unit_id, status, count, patented, applied, benefit in rows:
        if unit_id not in targets:
            targets[unit_id] = _unit_of(nodes[unit_id], nodes) if unit_id in nodes else None
        target = targets[unit_id]
        if target is None:
            continue
        f = out[target]
        f.statuses[status] = f.statuses.get(status, 0) + count
        if status in NOT_COLLECTED:
            continue
        f.entries += count
        f.patented += int(patented or 0)
        f.applied += int(applied or 0)
        f.benefit += Decimal(benefit or 0)
    first, last = season_months(season)
    reports = db.session.execute(
        select(UnitReport.org_id, func.max(UnitReport.participants), func.max(UnitReport.activities),
               func.sum(UnitReport.promotions))
        .where(UnitReport.kind == "month", UnitReport.filed_at.is_not(None),
               UnitReport.period >= first, UnitReport.period <= last)
        .group_by(UnitReport.org_id))
    for org_id, people, activities, promotions in reports:
        if org_id in out:
            out[org_id].people = int(people or 0)
            out[org_id].active_report = bool(activities)
            out[org_id].promotions = out[org_id].promotions_reported = int(promotions or 0)
    # Per-person records confirmed by the unit replace the monthly reports' count for that unit.
    first_day = season.organise_start.replace(day=1)
    for org_id, n in tallies.confirmed_promotions(first_day, season.publish_end).items():
        if org_id in out:
            out[org_id].promotions = out[org_id].promotions_confirmed = n
    for org_id, n in tallies.pending_promotions(first_day, season.publish_end).items():
        if org_id in out:
            out[org_id].promotions_pending = n
    rule = (season.settings or {}).get("participation", {}).get("unit", "entry_or_report")
    for f in out.values():
        f.takes_part = {"entry": f.entries > 0, "report": f.active_report,
                        "entry_or_report": f.entries > 0 or f.active_report}[rule]
    return out


def _rate(part: int | Decimal, whole: int | Decimal) -> float | None:
    return round(float(part) / float(whole), 4) if whole else None


@dataclass
class Denominators:
    """What counties entered (issue 18 item 1) for the areas inside the subtree, by (area id,
    unit type), and each unit's area: a group's rate divides by the entered figure for those
    areas and by the registry's count elsewhere."""
    entered: dict
    area_of: dict


def _group(units: list[UnitFigures], dens: Denominators | None = None, types: tuple[str, ...] = ()) -> dict:
    """Units taking part and their rate; people taking part over employees; entry figures."""
    taking = [f for f in units if f.takes_part]
    n_units = len(units)
    employees = sum(f.org.employee_count or 0 for f in units)
    entered = False
    for (area_id, unit_type), d in (dens.entered.items() if dens else ()):
        if unit_type not in types:
            continue
        listed = [f for f in units if f.org.unit_type == unit_type and dens.area_of.get(f.org.id) == area_id]
        n_units += d.units - len(listed)
        if d.employees is not None:
            employees += d.employees - sum(f.org.employee_count or 0 for f in listed)
        entered = True
    people = sum(f.people for f in taking)
    return {
        "units": n_units, "units_taking_part": len(taking), "unit_rate": _rate(len(taking), n_units),
        "employees": employees, "people_taking_part": people, "people_rate": _rate(people, employees),
        "model_key_units": sum(1 for f in units if f.org.model_key),
        "model_key_taking_part": sum(1 for f in taking if f.org.model_key),
        "benefit_wan_yuan": float(sum((f.benefit for f in units), Decimal(0))),
        "entries": sum(f.entries for f in units), "patented": sum(f.patented for f in units),
        "applied": sum(f.applied for f in units), "skill_promotions": sum(f.promotions for f in units),
        "denominator_entered": entered,
    }


UNION_TYPES = {"all_units": None, "enterprises": ENTERPRISES, "state_owned": ("state_owned",),
               "non_public": ("non_public",), "public_institution": ("public_institution",)}


def table1(units: list[UnitFigures], dens: Denominators | None = None) -> dict[str, dict]:
    """附件6 (一), the union system: all its units, enterprises (state-owned and non-public) and
    public institutions. Rates divide by a county's entered denominator where it gave one."""
    union = [f for f in units if f.org.system == "union"]
    every = tuple(lookup("catalog.unit_types"))
    out = {}
    for key, types in UNION_TYPES.items():
        types = types or every
        out[key] = _group([f for f in union if f.org.unit_type in types], dens, types)
    return out


def table2(units: list[UnitFigures]) -> dict[str, dict]:
    """附件6 (二): the youth league, science association and women's federation networks."""
    return {system: _group([f for f in units if f.org.system == system]) for system in TABLE2_SYSTEMS}


def areas(org: Organisation) -> list[Organisation]:
    """The counties and industry unions right below org (a city's rows), or org itself."""
    return list(db.session.scalars(select(Organisation).where(
        Organisation.parent_id == org.id, Organisation.kind.in_(("county", "industry_union")),
        Organisation.retired_at.is_(None)).order_by(Organisation.id))) or [org]


def annex6(user: User, org_id: int, season_id: int, *, by_area: bool = False,
           with_overview: bool = False) -> dict:
    """附件6 for the subtree: {"org", "season", "table1", "table2", "definitions"}; with
    `by_area` also "areas": [(area, table1, table2)] for the rows of the export and "promotions"
    (promotions_by_area); with `with_overview` also "funnel", "participation" and "promotions"
    (one reading of the figures for all)."""
    org, season = _scope(user, org_id, season_id)
    per_unit = figures(org, season)
    units = list(per_unit.values())
    dens = denominators(org, season, per_unit)
    out = {"org": org, "season": season, "table1": table1(units, dens), "table2": table2(units),
           "definitions": definitions(season, dens)}
    if by_area:
        out["areas"] = [(area, table1(inside, dens), table2(inside)) for area in areas(org)
                        for inside in [[f for f in units if area.contains(f.org)]]]
        out["promotions"] = promotions_by_area(org, per_unit)
    if with_overview:
        out["funnel"] = _funnel(per_unit)
        out["participation"] = _participation(org, season, per_unit)
        if "promotions" not in out:
            out["promotions"] = promotions_by_area(org, per_unit)
    return out


def promotion_figures(units: list[UnitFigures]) -> dict:
    """技能等级晋升 of a group of units (people): `promotions` counted (the 附件6 and 优秀组织奖
    item 8 figure) = `confirmed` (units with confirmed per-person records) + `from_reports` (the
    monthly reports of the units without any); `pending`: records still awaiting the unit's
    confirmation (not counted)."""
    confirmed = sum(f.promotions_confirmed or 0 for f in units)
    from_reports = sum(f.promotions_reported for f in units if f.promotions_confirmed is None)
    return {"promotions": confirmed + from_reports, "confirmed": confirmed, "from_reports": from_reports,
            "pending": sum(f.promotions_pending for f in units)}


def promotions_by_area(org: Organisation, per_unit: dict[int, UnitFigures]) -> list[dict]:
    """Per county / industry union below org (or org itself), then the total (area_id None):
    [{"area_id", "area", "promotions", "confirmed", "from_reports", "pending"}]."""
    units = list(per_unit.values())
    rows = [{"area_id": area.id, "area": area.name, **promotion_figures([f for f in units if area.contains(f.org)])}
            for area in areas(org)]
    if len(rows) > 1:
        rows.append({"area_id": None, "area": t("stats.annex6.total"), **promotion_figures(units)})
    return rows


def denominators(org: Organisation, season: Season, per_unit: dict[int, UnitFigures]) -> Denominators:
    """The denominators entered for areas inside org's subtree, the latest by the season's end."""
    latest = tallies.latest_denominators(season.publish_end)
    if not latest:
        return Denominators({}, {})
    area_of = _area_of(org, {i: f.org for i, f in per_unit.items()})
    inside = set(db.session.scalars(select(Organisation.id).where(
        Organisation.path.startswith(org.path, autoescape=True), Organisation.kind.in_(tallies.AREA_KINDS))))
    return Denominators({k: d for k, d in latest.items() if k[0] in inside}, area_of)


def definitions(season: Season, dens: Denominators | None = None) -> dict[str, str]:
    """How each figure was computed, in Chinese, following the season's `participation` setting,
    and which denominator each rate of table (一) divided by."""
    rule = (season.settings or {}).get("participation", {}).get("unit", "entry_or_report")
    first, last = season_months(season)
    out = {"unit_taking_part": t(f"stats.definitions.unit_{rule}", first=first, last=last),
           "people_taking_part": t("stats.definitions.people", first=first, last=last),
           "entries": t("stats.definitions.entries"), "benefit": t("stats.definitions.benefit"),
           "rates": t("stats.definitions.rates"),
           "skill_promotions": t("tallies.definitions.promotions", first=first, last=last)}
    types = lookup("catalog.unit_types")
    lines = []
    for unit_type in ("state_owned", "non_public", "public_institution"):
        used = [d for (_, ut), d in sorted((dens.entered if dens else {}).items()) if ut == unit_type]
        if not used:
            continue
        areas_text = "、".join(t("tallies.definitions.denominator_area", area=d.org.name, units=d.units,
                                 employees=d.employees if d.employees is not None else "—", source=d.source,
                                 as_of=d.as_of.isoformat()) for d in used)
        lines.append(t("tallies.definitions.denominator_entered", group=types[unit_type], areas=areas_text))
    out["denominators"] = "；".join(lines) if lines else t("tallies.definitions.denominator_registry",
                                                           group=t("stats.union_system"))
    return out


def funnel(user: User, org_id: int, season_id: int) -> list[dict]:
    """Entries that reached at least each stage (a returned entry has reached 'submitted');
    withdrawn entries are counted apart (stage 'withdrawn')."""
    org, season = _scope(user, org_id, season_id)
    return _funnel(figures(org, season))


def _funnel(per_unit: dict[int, UnitFigures]) -> list[dict]:
    counts: dict[str, int] = defaultdict(int)
    for f in per_unit.values():
        for status, n in f.statuses.items():
            counts[status] += n
    reached = []
    for i, stage in enumerate(STAGES):
        n = sum(c for status, c in counts.items()
                if status in STAGES[i:] or (_STAGE_OF.get(status) in STAGES[i:]))
        reached.append({"stage": stage, "label": t(f"stats.stages.{stage}"), "count": n})
    reached.append({"stage": "withdrawn", "label": t("stats.stages.withdrawn"), "count": counts.get("withdrawn", 0)})
    return reached


def participation(user: User, org_id: int, season_id: int) -> list[dict]:
    """Per county (or industry union) below org_id — or org_id itself when it has none — and per
    unit type with a target (Season.targets, RULES.md: 90% / 60% / 70% / every e-station): units,
    units taking part, rate, target and the gap to it (target − rate; positive means short)."""
    org, season = _scope(user, org_id, season_id)
    return _participation(org, season, figures(org, season))


def _participation(org: Organisation, season: Season, all_units: dict[int, UnitFigures]) -> list[dict]:
    rows = []
    for area in areas(org):
        inside = [f for f in all_units.values() if area.contains(f.org)]
        for unit_type, target in (season.targets or {}).items():
            group = [f for f in inside if f.org.unit_type == unit_type]
            taking = sum(1 for f in group if f.takes_part)
            rate = _rate(taking, len(group))
            rows.append({"area_id": area.id, "area": area.name, "unit_type": unit_type,
                         "unit_type_label": t(f"catalog.unit_types.{unit_type}"), "units": len(group),
                         "taking_part": taking, "rate": rate, "target": float(target),
                         "gap": round(float(target) - rate, 4) if rate is not None else None})
    return rows


def breakdown(user: User, org_id: int, season_id: int) -> dict[str, list[dict]]:
    """Collected entries of the subtree by category and by industry (the dashboard's charts):
    {"categories": [{"code", "label", "count"}], "industries": [{"label", "count"}]}, largest first."""
    org, season = _scope(user, org_id, season_id)
    nodes = _units(org)
    rows = db.session.execute(select(Entry.unit_id, Entry.category, Entry.industry, func.count())
                              .where(Entry.season_id == season.id, Entry.status.not_in(NOT_COLLECTED))
                              .group_by(Entry.unit_id, Entry.category, Entry.industry))
    categories: dict[str, int] = defaultdict(int)
    industries: dict[str, int] = defaultdict(int)
    for unit_id, category, industry, count in rows:
        if unit_id in nodes:
            categories[category or ""] += count
            industries[industry or ""] += count
    labels = {c["code"]: c["label"] for c in (season.categories or [])}
    unknown = t("stats.not_stated")
    return {"categories": [{"code": c, "label": labels.get(c, c) or unknown, "count": n}
                           for c, n in sorted(categories.items(), key=lambda kv: -kv[1])],
            "industries": [{"label": i or unknown, "count": n}
                           for i, n in sorted(industries.items(), key=lambda kv: -kv[1])]}


def phase_clock(season: Season, today) -> dict:
    """The current phase of the season and the days left in it (China dates, the last day counts)."""
    from ..models.season import PHASES
    for phase in PHASES:
        start, end = getattr(season, f"{phase}_start"), getattr(season, f"{phase}_end")
        if start <= today <= end:
            return {"phase": phase, "label": t(f"catalog.phases.{phase}"), "end": end,
                    "days_left": (end - today).days + 1}
    return {"phase": None, "label": t("stats.no_phase"), "end": None, "days_left": None}


def default_org(user: User) -> Organisation | None:
    """The highest node the user may read statistics for (the dashboard's starting point)."""
    held = [a.org for a in user.roles if policy.can(user, "stats.view", a.org)]
    return min(held, key=lambda o: o.depth) if held else None
