"""优胜单位 applications (附件5, issue 18 item 6) in the console: a unit admin files the unit's
application (started from the registry and the statistics); the county, then the city office,
give their opinion in turn; each application shows who said what and when, and downloads as the
附件5 form (.xlsx)."""
from __future__ import annotations

from urllib.parse import quote

from flask import Response, abort, g, redirect, render_template, request, url_for

from ...errors import AppError, FieldErrors
from ...services import policy
from ...services.awards import annex5, windows, winners
from ...services.entries import FieldProblems
from ...services.seasons import get_season
from ...texts import t
from . import bp, nav
from .org_awards import season_id, top_org

nav.page("winners", "console.winners_page", "awards.console.nav_winners", "winner.view", order=61)

FIELDS = ("legal_rep", "nature", "phone", "employees", "participants", "summary", "applicant_opinion",
          "filled_by", "responsible")


def _filing_units() -> list:
    return [a.org for a in g.user.roles if a.org.kind == "unit" and policy.can(g.user, "winner.file", a.org)]


def _render_list(sid: int, values: dict | None = None, errors: dict | None = None, status: int = 200,
                 window_values: dict | None = None, window_errors: dict | None = None):
    start = top_org("winner.view")
    units = _filing_units()
    if values is None and units:
        values = winners.prefill(g.user, units[0].id, sid) | {"org_id": units[0].id}
    season = get_season(sid)
    current = windows.window(season)
    return render_template("console/winners.html", apps=winners.list_for(g.user, start.id, sid), season=season,
                           units=units, values=values or {}, errors=errors or {}, fields=FIELDS,
                           status_label=lambda s: t(f"awards.statuses.{s}"), window=current,
                           window_fields=windows.FIELDS, can_set_window=policy.can(g.user, "season.manage", season),
                           window_values=window_values or {k: v.isoformat() if v else "" for k, v in current.items()},
                           window_errors=window_errors or {}), status


@bp.post("/winners/window")
def winners_window():
    """The city office sets the season's 附件5 dates; wrong fields show beside themselves."""
    sid = season_id()
    values = {k: request.form.get(k, "") for k in windows.FIELDS}
    try:
        windows.set_window(g.user, sid, values)
    except FieldErrors as exc:
        return _render_list(sid, status=400, window_values=values, window_errors=exc.errors)
    return redirect(url_for("console.winners_page", season=sid, saved=1) + "#winner-window")


@bp.get("/winners")
def winners_page():
    return _render_list(season_id())


@bp.post("/winners")
def winners_file():
    sid = season_id()
    values = {k: request.form.get(k, "") for k in FIELDS}
    raw_org = request.form.get("org_id", "")
    values["org_id"] = raw_org
    try:
        app = winners.file(g.user, sid, int(raw_org) if raw_org.isdigit() and len(raw_org) < 10 else 0, values)
    except FieldProblems as exc:
        return _render_list(sid, values, {p["field"]: p["message"] for p in exc.problems}, 400)
    except AppError as exc:
        if exc.status == 403:
            raise
        return _render_list(sid, values, {exc.field or "org_id": exc.message}, exc.status)
    return redirect(url_for("console.winner", app_id=app.id, saved=1))


def _render_one(app_id: int, errors: dict | None = None, status: int = 200):
    app = winners.get(g.user, app_id)
    turn = {"filed": "county", "county_recommended": "city"}.get(app.status)
    can = turn is not None and policy.can(g.user, f"winner.opinion_{turn}", app.org)
    return render_template("console/winner.html", app=app, opinions=winners.opinions(app), rate=winners.rate(app),
                           turn=turn if can else None, errors=errors or {}, saved=request.args.get("saved"),
                           status_label=t(f"awards.statuses.{app.status}")), status


@bp.get("/winners/<int:app_id>")
def winner(app_id: int):
    return _render_one(app_id)


@bp.post("/winners/<int:app_id>/opinion")
def winner_opinion(app_id: int):
    try:
        winners.opinion(g.user, app_id, request.form.get("level", ""), request.form.get("decision", ""),
                        request.form.get("comment", ""))
    except AppError as exc:
        if exc.status in (403, 404):
            raise
        return _render_one(app_id, {exc.field or "opinion": exc.message}, exc.status)
    return redirect(url_for("console.winner", app_id=app_id, saved=1))


@bp.get("/winners/<int:app_id>/annex5.<fmt>")
def winner_annex5(app_id: int, fmt: str):
    if fmt not in annex5.FORMATS:
        abort(404)
    build, mimetype = annex5.FORMATS[fmt]
    body = build(g.user, app_id)
    name = annex5.filename(winners.get(g.user, app_id), fmt)
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})
