"""Skill-grade promotions (unit admins record and confirm them per person) and the
denominators counties enter for 附件6 (issue 18 item 1). The forms post to the same services as
/api/v1/promotions and /api/v1/denominators; each wrong field shows its error next to it."""
from __future__ import annotations

from flask import abort, g, redirect, render_template, request, url_for

from ...errors import AppError
from ...models import Organisation
from ...services import policy, tallies
from ...services.entries import FieldProblems
from ...texts import lookup
from . import bp, nav

nav.page("promotions", "console.promotions", "console.nav.promotions", "promotion.view", order=24)
nav.page("denominators", "console.denominators", "console.nav.denominators", "denominator.view", order=26)


def _held(action: str, kinds: tuple[str, ...]) -> list[Organisation]:
    return tallies.held_orgs(g.user, action, kinds)


def _top(action: str) -> Organisation:
    held = [a.org for a in g.user.roles if policy.can(g.user, action, a.org)]
    if not held:
        abort(403)
    return min(held, key=lambda o: o.depth)


def _errors(exc: AppError) -> dict[str, str]:
    if isinstance(exc, FieldProblems):
        return {p["field"]: p["message"] for p in exc.problems}
    return {exc.field or "org_id": exc.message}


def _int(raw: str):
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 10 else (raw or None)


@bp.get("/promotions")
def promotions(values=None, errors=None, status=200):
    top = _top("promotion.view")
    units = _held("promotion.record", ("unit",))
    return render_template("console/promotions.html", rows=tallies.promotions_for(g.user, top.id), units=[(u.id, u.name) for u in units],
                           grades=list(lookup("tallies.grades").items()), grade_labels=lookup("tallies.grades"),
                           values=values or {}, errors=errors or {},
                           can_confirm={u.id for u in _held("promotion.confirm", ("unit",))},
                           labels=lookup("tallies.fields"), saved=request.args.get("saved")), status


@bp.post("/promotions")
def promotion_record():
    form = {k: v for k, v in request.form.items() if k != "csrf_token"}
    values = {k: form.get(k, "") for k in ("person_name", "from_grade", "to_grade", "promoted_on")}
    values["entry_id"] = _int(form.get("entry_id", ""))
    try:
        tallies.record_promotion(g.user, _int(form.get("org_id", "")) or 0, values)
    except (FieldProblems, AppError) as exc:
        if exc.status in (400, 409):
            return promotions(values=form, errors=_errors(exc), status=400)
        raise
    return redirect(url_for("console.promotions", saved=1))


@bp.post("/promotions/<int:promotion_id>/confirm")
def promotion_confirm(promotion_id: int):
    tallies.confirm_promotion(g.user, promotion_id)
    return redirect(url_for("console.promotions", saved=1))


@bp.get("/denominators")
def denominators(values=None, errors=None, status=200):
    top = _top("denominator.view")
    return render_template("console/denominators.html", rows=tallies.denominators_for(g.user, top.id),
                           areas=[(a.id, a.name) for a in _held("denominator.enter", tallies.AREA_KINDS)],
                           unit_types=list(lookup("catalog.unit_types").items()),
                           type_labels=lookup("catalog.unit_types"), values=values or {},
                           errors=errors or {}, labels=lookup("tallies.fields"),
                           saved=request.args.get("saved")), status


@bp.post("/denominators")
def denominator_enter():
    form = {k: v for k, v in request.form.items() if k != "csrf_token"}
    values = {"unit_type": form.get("unit_type", ""), "units": _int(form.get("units", "")),
              "employees": _int(form.get("employees", "")), "source": form.get("source", ""),
              "as_of": form.get("as_of", "")}
    try:
        tallies.enter_denominator(g.user, _int(form.get("org_id", "")) or 0, values)
    except (FieldProblems, AppError) as exc:
        if exc.status in (400, 409):
            return denominators(values=form, errors=_errors(exc), status=400)
        raise
    return redirect(url_for("console.denominators", saved=1))
