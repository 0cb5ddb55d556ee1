"""Redis goes away while the RQ worker is running a job and is still away when the job ends.
RQ's own loop would quit on its next bookkeeping write; the service's worker carries on and
runs the queues again once Redis is back (workers/worker.py, work_until_stopped)."""
from __future__ import annotations

import os
import time

from redis import Redis
from rq import Queue
from rq.job import Job

from .processes import RedisServer, start, stop


def wait_until(predicate, timeout: float) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_the_worker_outlives_redis_dying_under_a_running_job(app):
    redis = RedisServer()
    worker = start("-m", "workers.worker", "default",
                   env={**os.environ, "REDIS_URL": redis.url, "WORKER_MAINTENANCE_SECONDS": "2"})
    try:
        queue = Queue("default", connection=Redis.from_url(redis.url))
        job = queue.enqueue(time.sleep, 1.5)
        assert wait_until(lambda: job.get_status(refresh=True) == "started", 30), job.get_status()
        redis.kill()                     # the job is running: RQ writes about it when it ends
        time.sleep(3)                    # …and Redis is still down then
        assert worker.poll() is None
        redis.start()                    # back, empty
        queue = Queue("default", connection=Redis.from_url(redis.url))
        after = queue.enqueue(time.sleep, 0)
        assert wait_until(lambda: Job.fetch(after.id, connection=queue.connection).get_status() == "finished", 30)
        assert worker.poll() is None
    finally:
        stop(worker)
        redis.kill()
    assert worker.returncode == 0        # SIGTERM still stops it, cleanly
