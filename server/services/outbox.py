"""The transactional outbox: `emit` adds an event to the caller's transaction; `relay` moves
committed events to RQ (job id = event id, so relaying twice queues once)."""
from __future__ import annotations

import logging

from redis.exceptions import RedisError
from rq import Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job
from sqlalchemy import select

from ..extensions import db, queue, redis_client
from ..models import OutboxEvent
from ..timeutil import utcnow

log = logging.getLogger(__name__)


def emit(kind: str, **payload) -> OutboxEvent:
    event = OutboxEvent(kind=kind, payload=payload)
    db.session.add(event)
    return event


def relay(limit: int = 200) -> int:
    """Queue committed events not yet queued. Safe to run anywhere, any number of times."""
    rows = db.session.scalars(select(OutboxEvent).where(OutboxEvent.relayed_at.is_(None))
                              .order_by(OutboxEvent.id).limit(limit).with_for_update(skip_locked=True)).all()
    moved = 0
    try:
        for row in rows:
            job_id = f"outbox-{row.id}"
            try:
                Job.fetch(job_id, connection=redis_client())
            except NoSuchJobError:
                queue("default").enqueue("workers.notify.handle_event", row.id, job_id=job_id,
                                         result_ttl=86400, failure_ttl=7 * 86400,
                                         retry=Retry(max=5, interval=[10, 60, 300, 900, 3600]))
            row.relayed_at = utcnow()
            moved += 1
    except RedisError as exc:
        log.warning("outbox relay stopped, Redis unavailable: %s", exc)
    db.session.commit()
    return moved


def relay_soon() -> None:
    """After a commit that emitted events: ask a worker to relay now (best effort; the periodic
    relay catches up when Redis is away)."""
    try:
        queue("high").enqueue("workers.notify.relay_outbox", result_ttl=60)
    except RedisError:
        log.info("relay deferred to the periodic run")
