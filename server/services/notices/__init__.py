"""Who hears what when an outbox event is handled: one table, event kind → builder.

A builder takes the event's payload (dict) and returns the deliveries to make, as
(user_id, subscribe template, template values) tuples — [] when nothing is to be said (the row
is gone, or moved on since the event). It re-reads the rows the payload names (jobs get ids)
and may queue follow-up work (results_released queues the season's certificates); notify.py
turns the tuples into deliveries, at most once per (event, user).

Adding an event = a template in message_templates/zh_CN/subscribe.yaml, a builder in the module
of its area (here, or the area's own service where it already has one), and a line below."""
from __future__ import annotations

from collections.abc import Callable

from ..awards.honours import award_decided
from ..reply_reminders import recipients as reply_due
from ..report_reminders import recipients as report_missing
from ..review.notices import review_result
from . import certificates, entries, results

Builder = Callable[[dict], list[tuple[int, str, dict]]]

HANDLERS: dict[str, Builder] = {
    "entry_submitted": entries.entry_submitted,
    "draft_unfinished": entries.draft_unfinished,
    # the review chain (issue 15): the filer, and a farmer who bound the phone
    "entry_returned": review_result,
    "entry_recommended": review_result,
    "entry_accepted": review_result,
    "entry_not_recommended": review_result,
    "entry_decided": results.entry_decided,
    "results_released": results.results_released,
    "objection_answered": results.objection_answered,
    "certificate_issued": certificates.certificate_issued,
    "award_decided": award_decided,           # an organisation award's certificate (issue 18)
    "report_missing": report_missing,         # a unit's monthly report (issue 18)
    "reply_due": reply_due,                   # a returned entry's reply-by date is near
}
