"""Periodic jobs on RQ's own scheduler: each run schedules the next one with enqueue_at, under
a job id named after its time slot, so any number of workers schedule it once."""
from __future__ import annotations

import functools
import logging
from datetime import datetime, timezone

from redis.exceptions import RedisError
from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job

log = logging.getLogger(__name__)

PERIODIC = {
    # job id prefix: (function path, period in seconds)
    "housekeeping_purge_sessions": ("workers.housekeeping.purge_expired_sessions", 6 * 3600),
    "chat_sweep": ("workers.chat.sweep_unanswered", 60),
    "outbox_relay": ("workers.notify.relay_outbox_periodic", 10),
    "reminder_sweep": ("workers.reminders.sweep_reminders", 60),
    "draft_nudge": ("workers.reminders.nudge_unfinished_drafts", 600),
    "reply_reminders": ("workers.reminders.remind_returned_entries", 600),
    "review_deadlines": ("workers.review.expire_overdue", 3600),
    "report_reminders": ("workers.reminders.remind_missing_reports", 3600),
    "stale_claims": ("workers.notify.settle_stale_claims", 300),
    "publicity_finalise": ("workers.results.finalise_due", 600),
}


def schedule_next(queue: Queue, name: str, now: float | None = None) -> str:
    func, period = PERIODIC[name]
    now = now if now is not None else datetime.now(timezone.utc).timestamp()
    slot = int(now // period) + 1
    job_id = f"{name}-{slot}"
    try:
        Job.fetch(job_id, connection=queue.connection)
    except NoSuchJobError:
        queue.enqueue_at(datetime.fromtimestamp(slot * period, timezone.utc), func,
                         job_id=job_id, result_ttl=period * 2)
    return job_id


def schedule_all(queue: Queue) -> list[str]:
    return [schedule_next(queue, name) for name in PERIODIC]


def repeats(name: str):
    """Decorate a periodic job (inside `with_app`): whatever happens in the job — a database
    outage, a bug — the next run is scheduled, so one bad run does not end the chain."""
    def decorate(fn):
        @functools.wraps(fn)
        def job(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            finally:
                from server.extensions import redis_client
                try:
                    schedule_next(Queue("low", connection=redis_client()), name)
                except RedisError as exc:      # the worker re-schedules at its next maintenance
                    log.warning("could not schedule the next %s: %s", name, exc)
        return job
    return decorate
