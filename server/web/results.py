"""The season's public results announcement (通报): winners by award with links to verify."""
from __future__ import annotations

from flask import current_app, render_template

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
