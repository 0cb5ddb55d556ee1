"""The transactional outbox: `emit` adds an event to the caller's transaction; `relay` moves
committed events to RQ (job id = event id, so relaying twice queues once)."""
from __future__ import annotations

import logging
from datetime import timedelta

from redis.exceptions import RedisError
from rq import Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job
from sqlalchemy import select

from ..extensions import db, queue, redis_client
from ..models import OutboxEvent
from ..timeutil import utcnow

log = logging.getLogger(__name__)


def emit(kind: str, dedupe_key: str | None = None, **payload) -> OutboxEvent:
    """Add an event to the caller's transaction. With a dedupe key the event happens once: a
    second one with the same key fails the commit (uq_outbox_events_dedupe_key)."""
    event = OutboxEvent(kind=kind, dedupe_key=dedupe_key, payload=payload)
    db.session.add(event)
    return event


LOST_AFTER = timedelta(minutes=5)         # a relayed event not handled by then may have lost its job
GIVE_UP_AFTER = timedelta(days=1)         # older ones are left to admins (their job failed for good)


def relay(limit: int = 200) -> int:
    """Queue committed events not yet queued, and queue again those whose job Redis lost.
    Safe to run anywhere, any number of times."""
    rows = db.session.scalars(select(OutboxEvent).where(OutboxEvent.relayed_at.is_(None))
                              .order_by(OutboxEvent.id).limit(limit).with_for_update(skip_locked=True)).all()
    now = utcnow()
    rows += db.session.scalars(select(OutboxEvent).where(
        OutboxEvent.handled_at.is_(None), OutboxEvent.relayed_at < now - LOST_AFTER,
        OutboxEvent.relayed_at > now - GIVE_UP_AFTER)
        .order_by(OutboxEvent.id).limit(limit).with_for_update(skip_locked=True)).all()
    moved = 0
    try:
        for row in rows:
            if _ensure_job(row.id) or row.relayed_at is None:
                row.relayed_at = now
                moved += 1
    except RedisError as exc:
        log.warning("outbox relay stopped, Redis unavailable: %s", exc)
    db.session.commit()
    return moved


def _ensure_job(event_id: int) -> bool:
    """Queue the event's job unless Redis has it (waiting, running, retrying or failed)."""
    job_id = f"outbox-{event_id}"
    try:
        Job.fetch(job_id, connection=redis_client())
        return False
    except NoSuchJobError:
        queue("default").enqueue("workers.notify.handle_event", event_id, job_id=job_id,
                                 result_ttl=86400, failure_ttl=7 * 86400,
                                 retry=Retry(max=5, interval=[10, 60, 300, 900, 3600]))
        return True


def relay_soon() -> None:
    """After a commit that emitted events: ask a worker to relay now (best effort; the periodic
    relay catches up when Redis is away)."""
    try:
        queue("high").enqueue("workers.notify.relay_outbox", result_ttl=60)
    except RedisError:
        log.info("relay deferred to the periodic run")
