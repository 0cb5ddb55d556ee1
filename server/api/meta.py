from flask import jsonify

from ..errors import NotFound
from ..services.seasons import current_season
from . import bp
from .endpoint import endpoint
from .openapi import build_openapi
from .schemas import SeasonOut


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(build_openapi())


@endpoint(bp, "/seasons/current", "GET", response=SeasonOut, auth=False, tag="seasons",
          summary="当前赛季及其所处阶段（按北京时间）", errors=(404,))
def season_now():
    season = current_season()
    if season is None:
        raise NotFound()
    return SeasonOut(id=season.id, name=season.name, phase=season.phase_at(),
                     submission_open=season.submission_open(), submit_start=season.submit_start,
                     submit_end=season.submit_end, achievement_from=season.achievement_from,
                     achievement_to=season.achievement_to, categories=season.categories,
                     industries=season.industries)
