"""Redis goes away while the RQ worker is running a job and is still away when the job ends —
and when the worker tries to start RQ's loop again. RQ's own loop quits on its next bookkeeping
write, and making a new RQ worker already talks to Redis; the service's worker carries on and
runs the queues again once Redis is back (workers/worker.py, work_until_stopped).

Every wait here is on something the worker says (its log) or does, never on a clock: the flaky
version slept 3 s and assumed Redis was still down when the worker restarted; on a loaded
machine the restart came first, raised in rq's Worker.__init__ and ended the process."""
from __future__ import annotations

import os
import queue
import subprocess
import threading
import time

from redis import Redis
from rq import Queue
from rq.job import Job

from .processes import RedisServer, start, stop


class Log:
    """The worker's log lines as they come, to wait on."""

    def __init__(self, proc: subprocess.Popen):
        self.seen: list[str] = []
        self._q: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, args=(proc,), daemon=True).start()

    def _read(self, proc):
        for line in proc.stderr:
            self._q.put(line)
        self._q.put(None)

    def wait_for(self, text: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while True:
            line = self._q.get(timeout=max(0.1, deadline - time.monotonic()))
            assert line is not None, f"the worker ended while waiting for {text!r}:\n" + "".join(self.seen[-40:])
            self.seen.append(line)
            if text in line:
                return line


def test_the_worker_outlives_redis_dying_under_a_running_job(app):
    redis = RedisServer()
    worker = start("-m", "workers.worker", "default", stderr=subprocess.PIPE, text=True,
                   env={**os.environ, "REDIS_URL": redis.url, "WORKER_MAINTENANCE_SECONDS": "2",
                        "PYTHONUNBUFFERED": "1"})
    log = Log(worker)
    try:
        job = Queue("default", connection=Redis.from_url(redis.url)).enqueue(time.sleep, 1.5)
        log.wait_for(f"default: time.sleep(1.5) ({job.id})")      # the job is running
        redis.kill()                     # RQ writes about it when it ends: Redis is down then
        log.wait_for("the RQ worker stopped unexpectedly")         # its loop ended with the job
        log.wait_for("the RQ worker stopped unexpectedly")         # a restart failed, Redis still down
        assert worker.poll() is None
        redis.start()                    # back, empty
        connection = Redis.from_url(redis.url)
        after = Queue("default", connection=connection).enqueue(time.sleep, 0)
        log.wait_for(f"Job OK ({after.id})")
        assert Job.fetch(after.id, connection=connection).get_status() == "finished"
        assert worker.poll() is None
    finally:
        stop(worker)
        redis.kill()
    assert worker.returncode == 0        # SIGTERM still stops it, cleanly
