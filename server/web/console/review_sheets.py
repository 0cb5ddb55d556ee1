"""附件2 推荐表 from the console (issue 15 item 8): a reviewing office asks for its level's sheet
(.xlsx, or .docx to print and stamp), watches the job, downloads it; then uploads the stamped
scan, kept with that level's recommendation. The services are the API's (review/sheet.py,
review/scans.py); who may have which organisation's sheet is the policy table's review.sheet."""
from __future__ import annotations

from flask import abort, g, redirect, render_template, request, send_file, url_for

from ...errors import AppError
from ...models import Organisation
from ...services.review import queue, scans, sheet
from ...services.seasons import current_season
from . import bp
from .review import require_reviewer


def _orgs() -> list[Organisation]:
    return queue.reviewing_org_list(g.user)


def _season_id() -> int:
    season = current_season()
    if season is None:
        abort(404)
    return season.id


def render_sheets(error: str | None = None, status_code: int = 200):
    require_reviewer()
    season_id = _season_id()
    orgs = _orgs()
    stamped = {o.id: scans.listing(g.user, o.id, season_id) for o in orgs}
    return render_template("console/review_sheets.html", orgs=orgs, stamped=stamped, error=error,
                           uploaded=request.args.get("uploaded")), status_code


@bp.get("/review/sheets")
def review_sheets():
    return render_sheets()


def _org_id() -> int | None:
    raw = request.form.get("org_id", "")
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


@bp.post("/review/sheets")
def review_sheet_request():
    require_reviewer()
    try:
        job = sheet.request(g.user, _org_id() or 0, _season_id(), None, request.form.get("format", "xlsx"))
    except AppError as exc:
        return render_sheets(exc.message, exc.status if exc.status != 404 else 400)
    return redirect(url_for("console.review_sheet_job", job_id=job["job_id"]))


@bp.get("/review/sheets/<job_id>")
def review_sheet_job(job_id: str):
    require_reviewer()
    return render_template("console/review_sheet_job.html", job=sheet.job_state(g.user, job_id))


@bp.get("/review/sheets/<job_id>/file")
def review_sheet_file(job_id: str):
    path = sheet.file_for(g.user, job_id)
    fmt = path.suffix.lstrip(".")
    return send_file(path, as_attachment=True, download_name=f"附件2推荐表.{fmt}", mimetype=sheet.FORMATS[fmt][1])


@bp.post("/review/scans")
def review_scan_upload():
    require_reviewer()
    upload = request.files.get("file")
    content = upload.read() if upload else b""
    try:
        scans.upload(g.user, _org_id() or 0, _season_id(), None, content, (upload.filename if upload else "") or "scan")
    except AppError as exc:              # refused before anything was added (scans.upload checks first)
        return render_sheets(exc.message, exc.status if exc.status != 404 else 400)
    return redirect(url_for("console.review_sheets", uploaded=1))


@bp.get("/review/scans/<int:recommendation_id>")
def review_scan_file(recommendation_id: int):
    path, content_type, filename = scans.scan_file(g.user, recommendation_id)
    return send_file(path, mimetype=content_type, download_name=filename)
