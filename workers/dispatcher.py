"""The chat dispatcher: a thread in each worker that serves the `high` queue. It waits on the
list of users the push endpoint announced (services/inbound.py) and queues one job per user,
so the web's part of a push stays one Redis command and a message waits milliseconds, not a
sweep, for its job.

A thread rather than an RQ job: it blocks on Redis, costs no fork per push, and RQ's work
horses are forked from the worker's main thread, which this thread never touches. It keeps to
the app's Redis client (redis-py resets its pool in a forked child)."""
from __future__ import annotations

import logging
import threading

from redis.exceptions import RedisError

from .app_context import get_app

log = logging.getLogger(__name__)
WAIT_SECONDS = 2          # below the client's 5 s socket timeout, so a quiet BLPOP is not an error


class ChatDispatcher(threading.Thread):
    def __init__(self):
        super().__init__(name="chat-dispatcher", daemon=True)
        self.stopping = threading.Event()

    def run(self) -> None:
        with get_app().app_context():
            while not self.stopping.is_set():
                self.round()

    def round(self) -> None:
        from server.services.inbound import dispatch_ready
        try:
            dispatch_ready(block_seconds=WAIT_SECONDS)
        except RedisError as exc:
            log.warning("chat dispatcher: redis unavailable (%s); retrying", exc)
            self.stopping.wait(1)
        except Exception:                     # never die quietly: the sweep is a minute away
            log.exception("chat dispatcher round failed")
            self.stopping.wait(1)

    def stop(self) -> None:
        self.stopping.set()


def dispatch_now() -> int:
    """Everything announced so far, at once (burst workers, before they look at the queue)."""
    from server.services.inbound import dispatch_ready
    with get_app().app_context():
        return dispatch_ready()
