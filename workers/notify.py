"""Notification jobs: relay the outbox, turn an event into deliveries and send them."""
from __future__ import annotations

from .app_context import with_app
from .periodic import repeats


@with_app
def relay_outbox() -> int:
    from server.services.outbox import relay
    return relay()


@with_app
@repeats("outbox_relay")
def relay_outbox_periodic() -> int:
    from server.services.outbox import relay
    return relay()


@with_app
def handle_event(event_id: int) -> list[int]:
    from server.services.notify import handle_event as handle
    return handle(event_id)


@with_app
@repeats("stale_claims")
def settle_stale_claims() -> dict[str, int]:
    from server.services.stale_claims import settle_stale_claims as settle
    return settle()
