"""A cap on WeChat sends per second shared by every process: a counter per second of Redis'
own clock (so workers on other hosts agree on where a second starts). A send over the cap
waits for the next second. Without Redis each process paces itself at the whole cap — the
most that can then be promised is the cap per process."""
from __future__ import annotations

import logging
import threading
import time

from redis.exceptions import RedisError

log = logging.getLogger(__name__)

# Returns 0 when this send fits in the current second, else the microseconds until the next.
_TAKE = """
local now = redis.call('TIME')
local key = KEYS[1] .. ':' .. now[1]
local n = redis.call('INCR', key)
if n == 1 then redis.call('EXPIRE', key, 2) end
if n <= tonumber(ARGV[1]) then return 0 end
return 1000000 - tonumber(now[2])
"""


class SendRate:
    def __init__(self, redis, per_second: int, key: str = "wechat:send_rate"):
        self.per_second, self.key = per_second, key
        self._take = redis.register_script(_TAKE) if per_second > 0 else None
        self._lock = threading.Lock()
        self._next_local = 0.0

    def wait(self) -> None:
        """Block until one more send is allowed (at once when there is no cap)."""
        if self._take is None:
            return
        while True:
            try:
                micros = int(self._take(keys=[self.key], args=[self.per_second]))
            except RedisError as exc:
                log.warning("send-rate counter unavailable (%s); pacing this process alone", exc)
                return self._wait_local()
            if micros == 0:
                return
            time.sleep(micros / 1e6 + 0.001)

    def _wait_local(self) -> None:
        with self._lock:
            now = time.monotonic()
            at = max(now, self._next_local)
            self._next_local = at + 1.0 / self.per_second
        time.sleep(max(0.0, at - now))
