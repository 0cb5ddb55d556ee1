"""Reminder jobs: a planned slot (scheduled with enqueue_at) and the periodic sweep."""
from __future__ import annotations

from .app_context import with_app
from .periodic import repeats


@with_app
def run_slot(slot_id: int, planned_epoch: int) -> str:
    from server.services.reminders import run_slot as run
    return run(slot_id, planned_epoch)


@with_app
def deliver_batch(ids: list[int]) -> int:
    from server.services.reminders import deliver_batch as deliver
    return deliver(ids)


@with_app
@repeats("reminder_sweep")
def sweep_reminders() -> int:
    from server.services.reminders import sweep
    return len(sweep())


@with_app
@repeats("draft_nudge")
def nudge_unfinished_drafts() -> int:
    from server.services.nudges import nudge_unfinished
    return nudge_unfinished()


@with_app
@repeats("reply_reminders")
def remind_returned_entries() -> int:
    from server.services.reply_reminders import remind_returned
    return remind_returned()


@with_app
@repeats("report_reminders")
def remind_missing_reports() -> int:
    from server.services.report_reminders import remind_missing
    return remind_missing()
