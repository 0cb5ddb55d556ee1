"""Panels (city office, issue 16): per season, run the automatic assignment (k per entry), see
each expert's load and every entry's panel; one entry's panel adjusted by hand (a conflicted
expert is refused with the reason, shown next to the field). Same services as the API."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from ...errors import AppError
from ...hooks.ids import form_id
from ...services import audit_query, panel_view, panels, policy, scoring
from ...services.seasons import get_season
from ...texts import lookup, t
from . import bp, nav

nav.page("panels", "console.panels_page", "experts.nav.panels", "panel.manage", order=61)


def _season_id(seasons) -> int | None:
    wanted = request.values.get("season", type=int)
    ids = [s.id for s in seasons]
    return wanted if wanted in ids else (ids[0] if ids else None)


@bp.get("/panels")
def panels_page(errors=None, status=200):
    policy.require(g.user, "panel.manage")
    seasons = panel_view.seasons(g.user)
    season_id = _season_id(seasons)
    season = get_season(season_id) if season_id else None
    return render_template("console/panels.html", seasons=[(s.id, s.name) for s in seasons], season=season,
                           view=panel_view.overview(g.user, season) if season else None,
                           loads=panels.loads(g.user, season) if season else [], errors=errors or {},
                           values={"season": season_id, "k": request.form.get("k") or (panels.panel_size(season) if season else 3)},
                           statuses=lookup("catalog.statuses"), category_labels=lookup("catalog.categories")), status


@bp.post("/panels")
def panels_assign():
    policy.require(g.user, "panel.manage")
    season = get_season(form_id(request.form.get("season")))
    raw = (request.form.get("k") or "").strip()
    try:
        if not raw.isdigit():
            raise AppError("scoring.errors.panel_size", field="k", status=400, k=raw[:10] or "—", max=panels.MAX_K)
        result = panels.assign(g.user, season, int(raw))
    except AppError as exc:
        return panels_page({exc.field or "k": exc.message}, 400)
    ids = lambda xs: "、".join(map(str, xs))   # noqa: E731
    flash(t("experts.panels.assigned", seats=result["seats"],
            short=t("experts.panels.assigned_short", ids=ids(result["short"])) if result["short"] else "",
            reopened=t("experts.panels.assigned_reopened", ids=ids(result["reopened"])) if result["reopened"] else ""))
    return redirect(url_for("console.panels_page", season=season.id))


def _render_entry(entry_id: int, errors=None, status=200):
    entry = scoring.get_entry(entry_id)
    view = panel_view.entry_panel(g.user, entry)
    return render_template("console/panel.html", entry=entry, view=view, errors=errors or {},
                           values={"add": request.form.get("add")},
                           choices=[(c["expert_id"], c["name"] + (t("experts.panels.conflict_mark", reason=c["conflict"])
                                                                  if c["conflict"] else "")) for c in view["choices"]],
                           trail=audit_query.for_object("entry", entry.id)), status


@bp.get("/panels/entries/<int:entry_id>")
def panel_entry(entry_id: int):
    return _render_entry(entry_id)


@bp.post("/panels/entries/<int:entry_id>")
def panel_adjust(entry_id: int):
    entry = scoring.get_entry(entry_id)
    add, remove = request.form.get("add", ""), request.form.get("remove", "")
    try:
        if not (add or remove).isdigit():
            raise AppError("experts.errors.expert_required", field="add", status=400)
        panels.adjust(g.user, entry, [int(add)] if add else [], [int(remove)] if remove else [])
    except AppError as exc:
        if exc.status == 403:
            raise
        return _render_entry(entry_id, {"add": exc.message}, 400)
    flash(t("experts.panels.saved"))
    return redirect(url_for("console.panel_entry", entry_id=entry_id))
