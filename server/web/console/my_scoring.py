"""The expert's own pages (issue 16): my assigned entries, and one entry with its scoring form
built from the season's rubric (band and points per criterion, the benefit criterion offering
only the declared kind's bands with the band the declared 万元/年 suggests), a comment, and the
other experts' sheets once mine is in. Blind review hides the leader, the unit, the photo, the
patent number and attachments' real file names, here as in the API (scoring.BLIND_HIDES). The form posts to scoring.submit, the
service the API uses; each refusal shows next to its field."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, request, send_file, url_for

from ...errors import AppError, Forbidden, ValidationError
from ...forms.rubric import CRITERIA
from ...services import scoring
from ...texts import lookup, t
from . import bp, nav

nav.page("my_scoring", "console.my_scoring", "experts.nav.mine", "score.start", order=5)


@bp.get("/scoring")
def my_scoring():
    return render_template("console/my_scoring.html", entries=scoring.assignments(g.user),
                           category_labels=lookup("catalog.categories"))


def _posted() -> tuple[dict, dict, str]:
    """The form as the API's criteria, the form's values (to show again) and the comment."""
    criteria, values = {}, {}
    for code in CRITERIA:
        band = (request.form.get(f"{code}.band") or "").strip()
        raw = (request.form.get(f"{code}.points") or "").strip()
        values[f"{code}.band"], values[f"{code}.points"] = band, raw
        if not band:
            continue
        try:
            points = float(raw) if raw else None
            points = int(points) if points is not None and points == int(points) else points
        except ValueError:
            points = raw
        criteria[code] = {"band": band, "points": points}
    values["comment"] = request.form.get("comment", "")
    return criteria, values, values["comment"]


def _blank_errors(values: dict, view: dict) -> dict:
    labels = {c: lookup(f"rubric.criteria.{c}.label") for c in CRITERIA}
    errors = {}
    for code in CRITERIA:
        if not values[f"{code}.band"]:
            errors[f"{code}.band"] = t("experts.errors.band_missing", label=labels[code])
        elif not values[f"{code}.points"]:
            errors[f"{code}.points"] = t("experts.errors.points_missing", label=labels[code])
    return errors


def _values_of(view: dict) -> dict:
    mine = view["my_score"]
    values = {"comment": (mine or {}).get("comment") or ""}
    for code in CRITERIA:
        given = (mine or {}).get("criteria", {}).get(code, {})
        values[f"{code}.band"] = given.get("band") or (view["benefit"]["suggested_band"] if code == "benefit" else "")
        values[f"{code}.points"] = given.get("points", "")
    return values


def _render(entry_id: int, values=None, errors=None, status=200):
    view = scoring.expert_view(g.user, entry_id)
    try:
        sheets = scoring.sheets(g.user, entry_id)
    except Forbidden as exc:
        if exc.code != "own_score_first":
            raise
        sheets = None
    return render_template("console/my_entry.html", e=view, values=values or _values_of(view), errors=errors or {},
                           sheets=sheets, closed=scoring.closed_reason(entry_id), criteria=CRITERIA,
                           labels={c: lookup(f"rubric.criteria.{c}.label") for c in CRITERIA},
                           category_labels=lookup("catalog.categories")), status


@bp.get("/scoring/<int:entry_id>")
def my_entry(entry_id: int):
    return _render(entry_id)


@bp.post("/scoring/<int:entry_id>")
def my_entry_score(entry_id: int):
    criteria, values, comment = _posted()
    try:
        score = scoring.submit(g.user, entry_id, criteria, comment)
    except ValidationError as exc:
        view = scoring.expert_view(g.user, entry_id)
        errors = {k.removeprefix("criteria."): m for k, m in scoring.form_problems(entry_id, criteria).items()}
        errors = {(k + ".band" if k in CRITERIA else k): m for k, m in errors.items()}
        errors.update(_blank_errors(values, view))
        if not errors:
            field = (exc.field or "comment").removeprefix("criteria.")
            errors[field + ".band" if field in CRITERIA else field] = exc.message
        return _render(entry_id, values, errors, 400)
    except AppError as exc:
        if exc.status == 403:
            raise
        return _render(entry_id, values, {"form": exc.message}, exc.status)
    flash(t("experts.mine.submitted", revision=score.revision, total=score.total))
    return redirect(url_for("console.my_entry", entry_id=entry_id) + "#others")


@bp.get("/scoring/<int:entry_id>/files/<int:attachment_id>")
def my_entry_file(entry_id: int, attachment_id: int):
    path, content_type, name = scoring.expert_attachment(g.user, entry_id, attachment_id)
    return send_file(path, mimetype=content_type, download_name=name)
