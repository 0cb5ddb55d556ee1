"""The season's public results announcement (通报): winners by award with links to verify, and
the same as a PDF and a .docx to print and sign."""
from __future__ import annotations

from urllib.parse import quote

from flask import current_app, render_template, send_file

from ..services.certificates import announce_doc
from ..services.certificates.announce import season_results
from ..texts import lookup
from . import bp


@bp.get("/seasons/<int:season_id>/results")
def results_page(season_id: int):
    results = season_results(season_id, current_app.config["PUBLIC_BASE_URL"])
    return render_template("results.html", r=results, ui=lookup("certificate.results"))


@bp.get("/seasons/<int:season_id>/publicity")
def publicity_page(season_id: int):
    """The publicity list (公示): what an honour roll shows, while the period runs."""
    from ..services.publicity import public_list
    from ..services.seasons import get_season
    return render_template("public_list.html", r=public_list(get_season(season_id)), ui=lookup("publicity.page"))


def announcement_file(season_id: int, fmt: str):
    """The announcement document as a download (also used by the console)."""
    base = current_app.config["PUBLIC_BASE_URL"]
    path, mime = announce_doc.document(season_id, fmt, base)
    name = announce_doc.filename(season_results(season_id, base)["season"]["name"], fmt)
    response = send_file(path, mimetype=mime, max_age=0)
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@bp.get("/seasons/<int:season_id>/results.pdf")
def results_pdf(season_id: int):
    return announcement_file(season_id, "pdf")


@bp.get("/seasons/<int:season_id>/results.docx")
def results_docx(season_id: int):
    return announcement_file(season_id, "docx")
