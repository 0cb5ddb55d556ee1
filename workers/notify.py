"""Notification jobs: relay the outbox, turn an event into deliveries and send them."""
from __future__ import annotations

from .app_context import with_app


@with_app
def relay_outbox() -> int:
    from server.services.outbox import relay
    return relay()


@with_app
def relay_outbox_periodic() -> int:
    from rq import Queue

    from server.extensions import redis_client
    from server.services.outbox import relay
    from .periodic import schedule_next
    moved = relay()
    schedule_next(Queue("low", connection=redis_client()), "outbox_relay")
    return moved


@with_app
def handle_event(event_id: int) -> list[int]:
    from server.services.notify import handle_event as handle
    return handle(event_id)
