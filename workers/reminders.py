"""Reminder jobs: a planned slot (scheduled with enqueue_at) and the periodic sweep."""
from __future__ import annotations

from .app_context import with_app


@with_app
def run_slot(slot_id: int, planned_epoch: int) -> str:
    from server.services.reminders import run_slot as run
    return run(slot_id, planned_epoch)


@with_app
def deliver_batch(ids: list[int]) -> int:
    from server.services.reminders import deliver_batch as deliver
    return deliver(ids)


@with_app
def sweep_reminders() -> int:
    from rq import Queue

    from server.extensions import redis_client
    from server.services.reminders import sweep
    from .periodic import schedule_next
    ran = sweep()
    schedule_next(Queue("low", connection=redis_client()), "reminder_sweep")
    return len(ran)
