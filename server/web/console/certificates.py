"""Certificates for the city office (issue 17 item 7): a season's certificates (find by serial,
holder or title, filter by award and status, paged), one certificate with revoke, redraw and
replace (a corrected name), the whole season as one archive built by an RQ job whose progress
the page polls, and the results announcement (通报) as PDF / DOCX."""
from __future__ import annotations

from urllib.parse import quote

from flask import (Response, abort, current_app, g, jsonify, redirect, render_template, request, send_file,
                   url_for)

from ...errors import AppError, FieldErrors
from ...services import policy
from ...services.certificates import announce_doc, archive, office, reissue, render, revoke
from ...services.certificates.issue import url_for as verify_url
from ...texts import lookup, t
from . import bp, nav
from .tables import table_query

nav.page("certificates", "console.certificates", "certificate.console.nav", "certificate.manage", order=60)

def _require():
    if not policy.holds(g.user, "certificate.manage"):
        policy.require(g.user, "certificate.manage", None)

def _season_id(seasons) -> int | None:
    raw = request.args.get("season", "")
    if raw:
        if not raw.isdigit() or len(raw) > 9:
            abort(404)
        return int(raw)
    return seasons[0].id if seasons else None

@bp.get("/certificates")
def certificates():
    _require()
    seasons = office.seasons()
    season_id = _season_id(seasons)
    result = office.find(g.user, season_id, table_query(("q", "award", "status"), per_page=30)) if season_id else None
    return render_template("console/certificates.html", page=result, seasons=seasons, season_id=season_id,
                           ui=lookup("certificate.console"), awards=lookup("certificate.awards"),
                           archive=archive.state(g.user, season_id) if season_id else None)

def _detail(serial: str, errors=None, values=None, status=200, done=None):
    info = office.one(g.user, serial)
    cert = info["cert"]
    return render_template("console/certificate.html", cert=cert, info=info, ui=lookup("certificate.console"),
                           awards=lookup("certificate.awards"), errors=errors or {}, values=values or {},
                           done=done or request.args.get("done"),
                           verify=verify_url(cert, current_app.config["PUBLIC_BASE_URL"])), status

@bp.get("/certificates/<serial>")
def certificate(serial: str):
    return _detail(serial)

@bp.post("/certificates/<serial>/revoke")
def certificate_revoke(serial: str):
    try:
        revoke.revoke(g.user, serial, request.form.get("reason", ""))
    except AppError as exc:
        if exc.status != 400:
            raise
        return _detail(serial, {"reason": t("certificate.errors.revoke_reason")}, dict(request.form), 400)
    return redirect(url_for("console.certificate", serial=serial, done="revoked"))

@bp.post("/certificates/<serial>/redraw")
def certificate_redraw(serial: str):
    reissue.redraw(g.user, serial)
    return redirect(url_for("console.certificate", serial=serial, done="redrawn"))

@bp.post("/certificates/<serial>/replace")
def certificate_replace(serial: str):
    try:
        new = reissue.replace(g.user, serial, request.form.get("holder_name", ""), request.form.get("reason", ""))
    except FieldErrors as exc:
        return _detail(serial, {f"replace_{k}": v for k, v in exc.errors.items()}, dict(request.form), 400)
    return redirect(url_for("console.certificate", serial=new.serial, done="replaced"))

@bp.get("/certificates/<serial>/file.<fmt>")
def certificate_file(serial: str, fmt: str):
    if fmt not in render.RENDERERS:
        abort(404)
    cert = office.one(g.user, serial)["cert"]
    return Response(render.stored(cert, fmt), mimetype={"pdf": "application/pdf", "png": "image/png"}[fmt],
                    headers={"Content-Disposition": f"inline; filename={cert.serial}.{fmt}"})

@bp.post("/seasons/<int:season_id>/certificates/archive")
def certificates_archive_start(season_id: int):
    state = archive.start(g.user, season_id)
    if request.accept_mimetypes.best == "application/json":
        return jsonify(state), 202
    return redirect(url_for("console.certificates", season=season_id) + "#archive")

@bp.get("/seasons/<int:season_id>/certificates/archive.json")
def certificates_archive_state(season_id: int):
    return jsonify(archive.state(g.user, season_id))

@bp.get("/seasons/<int:season_id>/certificates/archive.zip")
def certificates_archive_file(season_id: int):
    path = archive.file_for(g.user, season_id)
    return send_file(path, mimetype="application/zip", as_attachment=True,
                     download_name=f"certificates-season{season_id}.zip", max_age=0)

@bp.get("/seasons/<int:season_id>/results.<fmt>")
def certificates_announcement(season_id: int, fmt: str):
    _require()
    if fmt not in announce_doc.BUILDERS:
        abort(404)
    base = current_app.config["PUBLIC_BASE_URL"]
    path, mime = announce_doc.document(season_id, fmt, base)
    name = announce_doc.filename(office.season_name(season_id), fmt)
    response = send_file(path, mimetype=mime, max_age=0)
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response
