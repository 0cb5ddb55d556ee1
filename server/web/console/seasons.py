"""Seasons (city admins): list, create, copy from last year, edit — the form posts to the same
service as /api/v1/admin/seasons; each wrong field shows its error next to it."""
from __future__ import annotations

from flask import g, redirect, render_template, request, url_for

from ...errors import FieldErrors
from ...models.season import PHASES
from ...services import audit_query, season_admin
from ...services.reminder_plan import DEFAULTS
from ...texts import lookup
from . import bp, nav
from .guard import take_draft

nav.page("seasons", "console.seasons", "console.nav.seasons", "season.manage", order=10)

REMINDER_KEYS = tuple(DEFAULTS)


def _form_values(season) -> dict:
    """A season (or copied values) as the form's flat fields."""
    get = season.get if isinstance(season, dict) else (lambda k, d=None: getattr(season, k, d))
    values = {f: get(f) for f in season_admin.SIMPLE}
    values["categories"] = [c["code"] if isinstance(c, dict) else c for c in (get("categories") or [])]
    values["industries"] = "\n".join(get("industries") or [])
    for kind, share in (get("targets") or {}).items():
        values[f"targets.{kind}"] = share
    settings = {**DEFAULTS, **(get("reminders") or {})}
    for key in REMINDER_KEYS:
        values[f"reminders.{key}"] = settings[key]
    return values


def _posted() -> tuple[dict, dict]:
    """The form as the service's input, and as the form's values (to show again on errors)."""
    form = request.form
    shown = {k: v for k, v in form.items() if k != "csrf_token"}
    shown["categories"] = form.getlist("categories")
    data = {f: form.get(f, "") for f in season_admin.SIMPLE if f not in ("categories",)}
    data["categories"] = form.getlist("categories")
    data["targets"] = {k: form.get(f"targets.{k}", "") for k in lookup("catalog.unit_types")}
    data["reminders"] = {k: form.get(f"reminders.{k}", "") for k in REMINDER_KEYS}
    return data, shown


def _render(values: dict, errors: dict, season=None, status: int = 200):
    return render_template("console/season_form.html", values=values, errors=errors, season=season,
                           phases=PHASES, phase_labels=lookup("catalog.phases"), organisers=[(o.id, o.name) for o in season_admin.organisers(g.user)],
                           categories=list(lookup("catalog.categories").items()),
                           unit_types=list(lookup("catalog.unit_types").items()), reminder_keys=REMINDER_KEYS,
                           trail=audit_query.for_object("season", season.id) if season else []), status


@bp.get("/seasons")
def seasons():
    return render_template("console/seasons.html", seasons=season_admin.visible(g.user))


@bp.get("/seasons/new")
def season_new():
    copy_from = request.args.get("copy_from", type=int)
    values = _form_values(season_admin.copy_values(g.user, season_admin.get_managed(g.user, copy_from))) \
        if copy_from else {"reminders." + k: v for k, v in DEFAULTS.items()}
    values.update(take_draft())
    return _render(values, {})


@bp.post("/seasons/new")
def season_create():
    data, shown = _posted()
    try:
        season = season_admin.create(g.user, data)
    except FieldErrors as exc:
        return _render(shown, exc.errors, status=400)
    return redirect(url_for("console.season_edit", season_id=season.id, saved=1))


@bp.get("/seasons/<int:season_id>")
def season_edit(season_id: int):
    season = season_admin.get_managed(g.user, season_id)
    values = _form_values(season)
    values.update(take_draft())
    return _render(values, {}, season)


@bp.post("/seasons/<int:season_id>")
def season_update(season_id: int):
    season = season_admin.get_managed(g.user, season_id)
    data, shown = _posted()
    try:
        season_admin.update(g.user, season, data)
    except FieldErrors as exc:
        return _render(shown, exc.errors, season_admin.get_managed(g.user, season_id), status=400)
    return redirect(url_for("console.season_edit", season_id=season.id, saved=1))
