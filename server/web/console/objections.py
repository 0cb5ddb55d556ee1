"""The publicity period in the console (issue 16 item 5): the period's state and the public
list's address, every objection (异议) with its reasons and the office's answer — an answer may
change the entry's award — and the finalisation, refused while the period runs or an objection
is open (the periodic job finalises on its own once the period is over and all are answered)."""
from __future__ import annotations

from flask import g, redirect, render_template, request, url_for

from ...errors import AppError
from ...hooks.ids import form_id
from ...services import publicity
from ...services.seasons import get_season
from ...texts import t
from . import bp, nav
from .results import refusal, require_confirmation, saved_text, season_of

nav.page("objections", "console.objections", "console_results.nav.objections", "objection.view", order=62)

ANSWER_CHOICES = ("", *publicity.ANSWER_AWARDS)


def _page(season, problem: dict | None = None, status: int = 200):
    return render_template(
        "console/objections.html", season=season, state=publicity.state(season),
        objections=publicity.for_office(g.user, season), listing=publicity.public_list(season),
        choices=[(c, t(f"console_results.answer_awards.{c or 'keep'}")) for c in ANSWER_CHOICES],
        problem=problem or {}, saved=saved_text()), status


@bp.get("/objections")
def objections():
    return _page(season_of(request.args.get("season")))


@bp.post("/objections/<int:objection_id>/answer")
def objection_answer(objection_id: int):
    season = get_season(form_id(request.form.get("season_id")))
    try:
        publicity.answer(g.user, objection_id, request.form.get("answer", ""), request.form.get("award") or None)
    except AppError as exc:
        return _page(season, *refusal("answer", exc, id=objection_id, answer=request.form.get("answer", "")))
    return redirect(url_for("console.objections", season=season.id, saved="answer"))


@bp.post("/objections/<int:season_id>/finalise")
def objections_finalise(season_id: int):
    season = get_season(season_id)
    try:
        require_confirmation()
        publicity.finalise(g.user, season)
    except AppError as exc:
        return _page(season, *refusal("finalise", exc))
    return redirect(url_for("console.objections", season=season.id, saved="finalise"))
