"""One worker at a time per user, and never for long after that worker died: the Redis lock has
a short TTL that a thread renews while the holder works. A killed process renews nothing, so
its lock is gone within TTL seconds (it used to be held for the whole two-minute job timeout)."""
from __future__ import annotations

import logging
import threading

from redis.exceptions import LockError, RedisError

from ..extensions import redis_client

log = logging.getLogger(__name__)
TTL = 8.0             # seconds a dead holder can keep others waiting
WAIT = 60.0           # seconds a job waits for a live holder before failing (RQ retries it)


def lock_key(openid: str) -> str:
    return f"chat:user:{openid}"


class UserLock:
    def __init__(self, openid: str, ttl: float = TTL, wait: float = WAIT):
        # thread_local=False: the renewing thread must see the token the worker thread took.
        self.lock = redis_client().lock(lock_key(openid), timeout=ttl, blocking_timeout=wait,
                                        thread_local=False)
        self.interval = ttl / 3
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def renew_once(self) -> bool:
        """Put the TTL back to full; False when the lock was lost (expired and taken)."""
        try:
            self.lock.reacquire()
            return True
        except (LockError, RedisError) as exc:
            log.warning("chat lock %s not renewed: %s", self.lock.name, exc)
            return False

    def _renew(self) -> None:
        while not self._stop.wait(self.interval):
            if not self.renew_once():
                return

    def __enter__(self) -> "UserLock":
        if not self.lock.acquire():
            raise LockError(f"{self.lock.name} is held by another worker")
        self._thread = threading.Thread(target=self._renew, name=f"renew {self.lock.name}", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        try:
            self.lock.release()
        except (LockError, RedisError):
            pass                      # expired meanwhile: nothing of ours to release
