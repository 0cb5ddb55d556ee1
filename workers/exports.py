"""Export jobs: the 附件2 recommendation sheet (.xlsx or .docx), with progress in the job's meta."""
from __future__ import annotations

from .app_context import with_app


@with_app
def recommendation_sheet(org_id: int, season_id: int, level: str, fmt: str = "xlsx") -> str:
    from rq import get_current_job
    from server.services.review.sheet import job_id_for, write
    job = get_current_job()

    def progress(done: int, total: int) -> None:
        if job is not None:
            job.meta["progress"] = {"done": done, "total": total}
            job.save_meta()
    return write(job.id if job else job_id_for(org_id, season_id, level, fmt), org_id, season_id, level, progress,
                 fmt)
