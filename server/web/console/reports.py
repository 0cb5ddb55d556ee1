"""Units' reports in the console (issue 18 item 4): a unit admin files the monthly report (月报)
and the half-year / full-year summaries (总结, with the stamped file); the same services as
/api/v1/reports judge them, and each refusal shows next to its field. Everyone with
report.view sees the subtree's filed reports, the summaries and last month's missing units."""
from __future__ import annotations

from datetime import timedelta

from flask import abort, g, redirect, render_template, request, url_for

from ...errors import AppError
from ...services import policy, report_summaries, reports
from ...services.entries import FieldProblems
from ...texts import lookup
from ...timeutil import china_today
from . import bp, nav

nav.page("reports", "console.reports_page", "console.nav.reports", "report.view", order=22)

MONTH_FIELDS = ("period", "activities", "participants", "entries", "promotions", "problems")


def _top():
    held = [a.org for a in g.user.roles if policy.can(g.user, "report.view", a.org)]
    if not held:
        abort(403)
    return min(held, key=lambda o: o.depth)


def _errors(exc: AppError) -> dict[str, str]:
    if isinstance(exc, FieldProblems):
        return {p["field"].removeprefix("report."): p["message"] for p in exc.problems}
    return {(exc.field or "org_id").removeprefix("report."): exc.message}


def _months_back(n: int) -> str:
    day = china_today().replace(day=1)
    for _ in range(n):
        day = (day - timedelta(days=1)).replace(day=1)
    return day.strftime("%Y-%m")


@bp.get("/reports")
def reports_page(values=None, errors=None, summary_values=None, summary_errors=None, status=200):
    top = _top()
    last_month = _months_back(1)
    return render_template(
        "console/reports.html", top=top, units=[(u.id, u.name) for u in reports.reporting_units(g.user)],
        filed=reports.reports_for(g.user, top.id, _months_back(12), china_today().strftime("%Y-%m")),
        missing=reports.missing(g.user, top.id, last_month), last_month=last_month,
        summaries=report_summaries.summaries_for(g.user, top.id), label=report_summaries.label,
        labels=lookup("flow_report.labels"), kinds=list(lookup("reports.summary.kinds").items()),
        values=values or {"period": last_month}, errors=errors or {}, summary_values=summary_values or {},
        summary_errors=summary_errors or {}, saved=request.args.get("saved")), status


def _org_id() -> int:
    raw = request.form.get("org_id", "")
    return int(raw) if raw.isdigit() and len(raw) < 11 else 0


@bp.post("/reports")
def report_file():
    form = {k: v for k, v in request.form.items() if k != "csrf_token"}
    values = {k: form.get(k, "") for k in MONTH_FIELDS}
    try:
        reports.file_whole(g.user, _org_id(), values)
    except AppError as exc:
        if exc.status in (400, 404, 409):
            return reports_page(values=form, errors=_errors(exc), status=400)
        raise
    return redirect(url_for("console.reports_page", saved=1))


@bp.post("/reports/summaries")
def summary_file():
    form = {k: v for k, v in request.form.items() if k != "csrf_token"}
    upload = request.files.get("file")
    content = (upload.read(), upload.filename or "summary") if upload is not None and upload.filename else None
    try:
        report_summaries.file_summary(g.user, _org_id(), form, content)
    except AppError as exc:
        if exc.status in (400, 404, 409):
            return reports_page(summary_values=form, summary_errors=_errors(exc), status=400)
        raise
    return redirect(url_for("console.reports_page", saved=1))


@bp.get("/reports/summaries/<int:report_id>/file")
def summary_download(report_id: int):
    from flask import send_file
    path, content_type, filename = report_summaries.attachment_of(g.user, report_id)
    return send_file(path, mimetype=content_type, as_attachment=True, download_name=filename)
