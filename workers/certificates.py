"""Certificate jobs: issue a season's certificates (queued on results_released), draw their files,
build the season's archive (console)."""
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


@with_app
def build_archive(season_id: int, job_id: str) -> str:
    from rq import get_current_job
    from server.services.certificates.archive import build
    job = get_current_job()

    def progress(done: int, total: int) -> None:
        if job is not None:
            job.meta.update(done=done, total=total)
            job.save_meta()
    return build(season_id, job_id, progress)
