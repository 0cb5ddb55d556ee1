"""The health page of the console (issue 14 item 7, city admins): the /healthz report plus the
outbox backlog and the failed jobs of each queue, which may be retried one by one (audited)."""
from __future__ import annotations

from rq.job import Job
from rq.registry import FailedJobRegistry
from sqlalchemy import func, select

from ..errors import NotFound
from ..extensions import QUEUE_NAMES, db, queue, redis_client
from ..models import OutboxEvent, User
from . import policy
from .audit import record
from .health import check_health

FAILED_SHOWN = 50


def report(actor: User) -> dict:
    policy.require(actor, "system.health")
    out = {"health": check_health()}
    unrelayed, oldest = db.session.execute(select(func.count(), func.min(OutboxEvent.created_at))
                                           .where(OutboxEvent.relayed_at.is_(None))).one()
    unhandled = db.session.scalar(select(func.count()).select_from(OutboxEvent).where(OutboxEvent.handled_at.is_(None)))
    out["outbox"] = {"unrelayed": unrelayed, "oldest": oldest, "unhandled": unhandled}
    out["failed"] = _failed() if out["health"]["redis"]["ok"] else []
    return out


def _failed() -> list[dict]:
    rows = []
    for name in QUEUE_NAMES:
        registry = FailedJobRegistry(queue=queue(name))
        ids = registry.get_job_ids(0, FAILED_SHOWN - 1)
        for job in Job.fetch_many(ids, connection=redis_client()):
            if job is None:
                continue
            last = (job.exc_info or "").strip().splitlines()[-1:] or [""]
            rows.append({"queue": name, "id": job.id, "func": job.func_name, "ended_at": job.ended_at,
                         "error": last[0][:200]})
    return rows


def retry(actor: User, queue_name: str, job_id: str) -> None:
    policy.require(actor, "system.health")
    if queue_name not in QUEUE_NAMES:
        raise NotFound("console.health_job_missing", code="job_not_found")
    registry = FailedJobRegistry(queue=queue(queue_name))
    if job_id not in registry.get_job_ids():
        raise NotFound("console.health_job_missing", code="job_not_found")
    registry.requeue(job_id)
    record(actor, "job_retried", "job", None, data={"queue": queue_name, "job": job_id})
    db.session.commit()
