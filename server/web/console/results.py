"""The city office's results (issue 16): the ranking per category and overall (aggregate, spread,
disagreement flags, grade), 特等奖 and 优秀奖 each with a reason, the publicity setting, the one
release (with a confirmation, and what blocks it), and the lists the office sends on. Every form
posts to the same services as /api/v1/admin; a refusal is shown on the page, nothing half done."""
from __future__ import annotations

from urllib.parse import quote

from flask import Response, abort, g, redirect, render_template, request, url_for

from ...errors import AppError
from ...services import publicity, result_exports, results
from ...services.seasons import current_season, get_season
from ...texts import lookup, t
from . import bp, nav

nav.page("results", "console.results_page", "console_results.nav.results", "results.view", order=60)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DECISIONS = ("special", "excellent", "grade")     # grade: take the decision back (results.decide None)


def season_of(raw: str | None):
    if raw:
        if not raw.isdigit() or len(raw) > 18:
            abort(404)
        return get_season(int(raw))
    season = current_season()
    if season is None:
        abort(404)
    return season


def saved_text() -> str | None:
    """The confirmation named in ?saved= (after a redirect), or None for anything else."""
    return lookup("console_results.saved").get(request.args.get("saved", ""))


def require_confirmation() -> None:
    """An act that cannot be undone (the release, the finalisation) is posted with its confirm
    checkbox ticked (confirm=yes): AppError confirm_required (400, field confirm) otherwise."""
    if request.form.get("confirm") != "yes":
        raise AppError("console_results.errors.confirm", code="confirm_required", status=400, field="confirm")


def _page(season, problem: dict | None = None, status: int = 200):
    data = results.season_ranking(g.user, season)
    category = request.values.get("category") or ""
    categories = lookup("catalog.categories")
    rows = [r for r in data["entries"] if not category or r["category"] == category]
    pending = [r for r in data["entries"] if r["status"] == "scored"]
    counts = {a: sum(1 for r in pending if r["award"] == a) for a in (*publicity.AWARD_ORDER, None)}
    summary = "、".join(f"{results.award_label(a)} {n} {t('publicity.page.count_unit')}" for a, n in counts.items() if n)
    return render_template(
        "console/results.html", season=season, data=data, rows=rows, category=category,
        categories=list(categories.items()), blockers=results.blockers(data["entries"]),
        state=publicity.state(season), problem=problem or {}, saved=saved_text(),
        category_labels=categories, method_label=lookup("scoring.aggregations")[data["method"]],
        decisions=[(a, t(f"console_results.decisions.{a}")) for a in DECISIONS],
        awards=lookup("catalog.awards"), open_objections=publicity.open_count(season.id),
        pending={"count": len(pending), "summary": summary}), status


@bp.get("/results")
def results_page():
    return _page(season_of(request.args.get("season")))


def _back(season, saved: str):
    return redirect(url_for("console.results_page", season=season.id, saved=saved,
                            category=request.form.get("category") or None))


def refusal(form: str, exc: AppError, **extra) -> tuple[dict, int]:
    """What a page shows of a refused form: the problem (which form, the message, the field, and
    what was typed, in `extra`) and the status (the error's; never a 5xx, the form was refused)."""
    return {"form": form, "message": exc.message, "field": exc.field, **extra}, (exc.status if exc.status < 500 else 400)


def _refused(season, form: str, exc: AppError, **extra):
    return _page(season, *refusal(form, exc, **extra))


@bp.post("/results/<int:season_id>/award")
def results_award(season_id: int):
    season = get_season(season_id)
    raw_entry = request.form.get("entry_id", "")
    choice = request.form.get("award", "")
    try:
        if not raw_entry.isdigit() or choice not in DECISIONS:
            raise AppError("console_results.errors.decision_form", code="decision_form", status=400)
        results.decide(g.user, int(raw_entry), None if choice == "grade" else choice, request.form.get("reason", ""))
    except AppError as exc:
        return _refused(season, "award", exc, entry_id=int(raw_entry) if raw_entry.isdigit() else None)
    return _back(season, "award")


@bp.post("/results/<int:season_id>/publicity")
def results_publicity(season_id: int):
    season = get_season(season_id)
    try:
        publicity.set_days(g.user, season, request.form.get("days", ""))
    except AppError as exc:
        return _refused(season, "publicity", exc)
    return _back(season, "publicity")


@bp.post("/results/<int:season_id>/release")
def results_release(season_id: int):
    season = get_season(season_id)
    try:
        require_confirmation()
        results.release(g.user, season)
    except AppError as exc:
        return _refused(season, "release", exc)
    return _back(season, "release")


def _file(data: bytes, mimetype: str, name: str) -> Response:
    return Response(data, mimetype=mimetype,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})


@bp.get("/results/<int:season_id>/top.xlsx")
def results_top(season_id: int):
    season = get_season(season_id)
    raw = request.args.get("n", "10")
    try:
        if not raw.isdigit() or len(raw) > 6:
            raise AppError("scoring.errors.top_n", code="top_n", status=400, field="n", max=result_exports.MAX_TOP)
        data = result_exports.top_entries(g.user, season, int(raw))
    except AppError as exc:
        return _refused(season, "exports", exc)
    return _file(data, XLSX, f"{season.name}-{t('console_results.files.top')}.xlsx")


@bp.get("/results/<int:season_id>/winners.xlsx")
def results_winners(season_id: int):
    season = get_season(season_id)
    which = request.args.get("list", "")
    if which not in ("leaders", "no_patent"):
        abort(404)
    try:
        data = result_exports.winners(g.user, season, which)
    except AppError as exc:
        return _refused(season, "exports", exc)
    return _file(data, XLSX, f"{season.name}-{lookup('console_results.files')[which]}.xlsx")


@bp.get("/results/entries/<int:entry_id>/sheet.pdf")
def results_sheet(entry_id: int):
    return _file(result_exports.score_sheet_pdf(g.user, entry_id), "application/pdf", f"score-sheet-{entry_id}.pdf")
