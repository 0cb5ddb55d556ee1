"""The dashboard (issue 18 item 8): the season's figures for the office's subtree as charts —
participation against targets, entries by category and industry, the funnel, skill-grade
promotions by area, days left in the phase — each chart with its numbers in a table beside it; 附件6 in full, downloadable as .xlsx;
and the units that have not filed last month's report."""
from __future__ import annotations

from datetime import timedelta

from flask import Response, abort, g, render_template, request

from ...services import reports, stats, stats_export
from ...services.seasons import current_season
from ...texts import lookup, t
from ...timeutil import china_today
from . import bp, nav

nav.page("stats", "console.stats_page", "console.nav.stats", "stats.view", order=20)


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name, "")
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 18:
        abort(404)
    return int(raw)


def _scope() -> tuple[int, int]:
    org_id = _int_arg("org")
    if org_id is None:
        org = stats.default_org(g.user)
        if org is None:
            abort(403)
        org_id = org.id
    season_id = _int_arg("season")
    if season_id is None:
        season = current_season()
        if season is None:
            abort(404)
        season_id = season.id
    return org_id, season_id


@bp.get("/stats")
def stats_page():
    org_id, season_id = _scope()
    data = stats.annex6(g.user, org_id, season_id, with_overview=True)
    today = china_today()
    last_month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    charts = {
        "participation": _by_type(data["participation"]),
        "pivot": _pivot(data["participation"]),
        "breakdown": stats.breakdown(g.user, org_id, season_id),
        "funnel": data["funnel"],
        "promotions": data["promotions"],
    }
    return render_template("console/stats.html", d=data, charts=charts, chart_data=_chart_data(charts),
                           clock=stats.phase_clock(data["season"], today), last_month=last_month,
                           missing=reports.missing(g.user, org_id, last_month),
                           system_labels=lookup("catalog.systems"))


def _by_type(rows: list[dict]) -> list[dict]:
    """Participation per unit type over the whole subtree (the chart), types with units only."""
    out: dict[str, dict] = {}
    for r in rows:
        o = out.setdefault(r["unit_type"], {"label": r["unit_type_label"], "units": 0, "taking_part": 0,
                                            "target": r["target"]})
        o["units"] += r["units"]
        o["taking_part"] += r["taking_part"]
    for o in out.values():
        o["rate"] = round(o["taking_part"] / o["units"], 4) if o["units"] else None
        o["gap"] = round(o["target"] - o["rate"], 4) if o["rate"] is not None else None
    return [o for o in out.values() if o["units"]]


def _pivot(rows: list[dict]) -> dict:
    """Areas × unit types: {"types": [(code, label, target)], "areas": [(name, {code: row})]}."""
    types = list(dict.fromkeys((r["unit_type"], r["unit_type_label"], r["target"]) for r in rows if r["units"]))
    areas: dict[str, dict] = {}
    for r in rows:
        areas.setdefault(r["area"], {})[r["unit_type"]] = r
    return {"types": types, "areas": [(name, cells) for name, cells in areas.items()
                                      if any(c["units"] for c in cells.values())]}


def _chart_data(charts: dict) -> dict:
    """What dashboard.js draws: the same numbers as the tables beside each chart."""
    part = charts["participation"]
    breakdown = charts["breakdown"]
    return {
        "participation": {"labels": [r["label"] for r in part],
                          "rate": [r["rate"] for r in part], "target": [r["target"] for r in part],
                          "rateLabel": t("stats.dashboard.rate_actual"), "targetLabel": t("stats.dashboard.rate_target")},
        "promotions": _promotion_chart(charts["promotions"]),
        "funnel": {"labels": [s["label"] for s in charts["funnel"]], "values": [s["count"] for s in charts["funnel"]]},
        "category": {"labels": [c["label"] for c in breakdown["categories"]],
                     "values": [c["count"] for c in breakdown["categories"]]},
        "industry": {"labels": [c["label"] for c in breakdown["industries"]],
                     "values": [c["count"] for c in breakdown["industries"]]},
    }


def _promotion_chart(rows: list[dict]) -> dict:
    """Stacked bars per area (the total row left out: it would dwarf the areas): confirmed
    per-person records and the monthly reports' figure, which add up to the promotions counted."""
    areas = [r for r in rows if r["area_id"] is not None]
    return {"labels": [r["area"] for r in areas],
            "confirmed": [r["confirmed"] for r in areas], "fromReports": [r["from_reports"] for r in areas],
            "confirmedLabel": t("stats.dashboard.promotions_confirmed"),
            "fromReportsLabel": t("stats.dashboard.promotions_from_reports")}


@bp.get("/stats/annex6.xlsx")
def stats_annex6():
    org_id, season_id = _scope()
    body = stats_export.annex6_xlsx(g.user, org_id, season_id)
    return Response(body, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename=annex6-{org_id}-{season_id}.xlsx"})
