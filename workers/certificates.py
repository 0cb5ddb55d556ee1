"""Certificate jobs: issue a season's certificates (queued on results_released)."""
from __future__ import annotations

from .app_context import with_app


@with_app
def issue_season(season_id: int) -> int:
    from server.services.certificates.issue import issue_for_season
    return issue_for_season(season_id)


@with_app
def render_files(certificate_ids: list[int]) -> int:
    from server.services.certificates.render import render_files as draw
    return draw(certificate_ids)
