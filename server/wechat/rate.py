"""A cap on WeChat sends per second shared by every process: each send is given its own moment,
1/cap seconds after the previous one given to any process (the next free moment is kept in
Redis and read against Redis' own clock, so workers on other hosts agree). A sender sleeps
until its moment — sends go out evenly spaced, never in bursts. A sender that wakes more than
LATE after its moment (a busy machine) takes a new one rather than go out bunched with later
ones; moments are (1 + LATE)/cap apart, so any second holds at most the cap. Without Redis each process paces itself at the whole cap — the most that can then be
promised is the cap per process."""
from __future__ import annotations

import logging
import threading
import time

from redis.exceptions import RedisError

log = logging.getLogger(__name__)
LATE = 0.05            # seconds a send may go out after its moment

# Reserve the next free moment; returns the microseconds to wait for it (0: now).
_RESERVE = """
local now = redis.call('TIME')
local t = tonumber(now[1]) * 1000000 + tonumber(now[2])
local free = tonumber(redis.call('GET', KEYS[1]) or '0')
if free < t then free = t end
redis.call('SET', KEYS[1], string.format('%d', free + tonumber(ARGV[1])), 'PX', 60000)
return free - t
"""


class SendRate:
    def __init__(self, redis, per_second: int, key: str = "wechat:send_rate"):
        self.per_second, self.key = per_second, key
        self._reserve = redis.register_script(_RESERVE) if per_second > 0 else None
        self._lock = threading.Lock()
        self._next_local = 0.0

    def wait(self) -> None:
        """Block until this send's moment (at once when there is no cap)."""
        if self._reserve is None:
            return
        interval = -(-int(1_000_000 * (1 + LATE)) // self.per_second)      # µs, rounded up
        while True:
            try:
                micros = int(self._reserve(keys=[self.key], args=[interval]))
            except RedisError as exc:
                log.warning("send-rate schedule unavailable (%s); pacing this process alone", exc)
                return self._wait_local()
            moment = time.monotonic() + micros / 1e6
            if micros > 0:
                time.sleep(micros / 1e6)
            if time.monotonic() - moment <= LATE:
                return

    def _wait_local(self) -> None:
        with self._lock:
            now = time.monotonic()
            at = max(now, self._next_local)
            self._next_local = at + 1.0 / self.per_second
        time.sleep(max(0.0, at - now))
