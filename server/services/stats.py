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
from ..texts import t
from . import policy
from .seasons import get_season

NOT_COLLECTED = ("draft", "withdrawn")
ENTERPRISES = ("state_owned", "non_public")
TABLE2_SYSTEMS = ("youth_league", "science_association", "womens_federation")
# The funnel's stages in the order an entry climbs (DESIGN.md statuses).
STAGES = ("draft", "submitted", "unit_recommended", "county_recommended", "accepted", "scored", "decided")
_STAGE_OF = {"returned": "submitted", "not_recommended": "submitted", "ineligible": "submitted"}


@dataclass
class UnitFigures:
    org: Organisation
    entries: int = 0
    patented: int = 0
    applied: int = 0
    benefit: Decimal = Decimal(0)
    people: int = 0
    active_report: bool = False
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


def _units(org: Organisation) -> dict[int, Organisation]:
    """Units (基层单位) of the subtree, retired ones left out (they are no longer counted)."""
    rows = db.session.scalars(select(Organisation).where(
        Organisation.path.startswith(org.path, autoescape=True), Organisation.kind.in_(("unit", "team"))))
    return {o.id: o for o in rows if o.retired_at is None}


def _unit_of(org: Organisation, units: dict[int, Organisation]) -> int | None:
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
    for unit_id, status, count, patented, applied, benefit in rows:
        target = _unit_of(nodes[unit_id], nodes) if unit_id in nodes else None
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
        select(UnitReport.org_id, func.max(UnitReport.participants), func.max(UnitReport.activities))
        .where(UnitReport.kind == "month", UnitReport.filed_at.is_not(None),
               UnitReport.period >= first, UnitReport.period <= last)
        .group_by(UnitReport.org_id))
    for org_id, people, activities in reports:
        if org_id in out:
            out[org_id].people = int(people or 0)
            out[org_id].active_report = bool(activities)
    rule = (season.settings or {}).get("participation", {}).get("unit", "entry_or_report")
    for f in out.values():
        f.takes_part = {"entry": f.entries > 0, "report": f.active_report,
                        "entry_or_report": f.entries > 0 or f.active_report}[rule]
    return out


def _rate(part: int | Decimal, whole: int | Decimal) -> float | None:
    return round(float(part) / float(whole), 4) if whole else None


def _group(units: list[UnitFigures]) -> dict:
    """Units taking part and their rate; people taking part over employees; entry figures."""
    taking = [f for f in units if f.takes_part]
    employees = sum(f.org.employee_count or 0 for f in units)
    people = sum(f.people for f in taking)
    return {
        "units": len(units), "units_taking_part": len(taking), "unit_rate": _rate(len(taking), len(units)),
        "employees": employees, "people_taking_part": people, "people_rate": _rate(people, employees),
        "model_key_units": sum(1 for f in units if f.org.model_key),
        "model_key_taking_part": sum(1 for f in taking if f.org.model_key),
        "benefit_wan_yuan": float(sum((f.benefit for f in units), Decimal(0))),
        "entries": sum(f.entries for f in units), "patented": sum(f.patented for f in units),
        "applied": sum(f.applied for f in units),
    }


def table1(units: list[UnitFigures]) -> dict[str, dict]:
    """附件6 (一), the union system: all its units, enterprises (state-owned and non-public) and
    public institutions."""
    union = [f for f in units if f.org.system == "union"]
    by_type = defaultdict(list)
    for f in union:
        by_type[f.org.unit_type].append(f)
    return {"all_units": _group(union), "enterprises": _group([f for f in union if f.org.unit_type in ENTERPRISES]),
            "state_owned": _group(by_type["state_owned"]), "non_public": _group(by_type["non_public"]),
            "public_institution": _group(by_type["public_institution"])}


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
    `by_area` also "areas": [(area, table1, table2)] for the rows of the export; with
    `with_overview` also "funnel" and "participation" (one reading of the figures for all)."""
    org, season = _scope(user, org_id, season_id)
    per_unit = figures(org, season)
    units = list(per_unit.values())
    out = {"org": org, "season": season, "table1": table1(units), "table2": table2(units),
           "definitions": definitions(season)}
    if by_area:
        out["areas"] = [(area, table1(inside), table2(inside)) for area in areas(org)
                        for inside in [[f for f in units if area.contains(f.org)]]]
    if with_overview:
        out["funnel"] = _funnel(per_unit)
        out["participation"] = _participation(org, season, per_unit)
    return out


def definitions(season: Season) -> dict[str, str]:
    """How each figure was computed, in Chinese, following the season's `participation` setting."""
    rule = (season.settings or {}).get("participation", {}).get("unit", "entry_or_report")
    first, last = season_months(season)
    return {"unit_taking_part": t(f"stats.definitions.unit_{rule}", first=first, last=last),
            "people_taking_part": t("stats.definitions.people", first=first, last=last),
            "entries": t("stats.definitions.entries"), "benefit": t("stats.definitions.benefit"),
            "rates": t("stats.definitions.rates")}


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
