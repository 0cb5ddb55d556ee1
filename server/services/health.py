"""What /healthz reports: can we reach the database and Redis, and are the queues served."""
from __future__ import annotations

import time

from rq import Worker
from rq.registry import FailedJobRegistry, ScheduledJobRegistry
from sqlalchemy import text

from ..extensions import QUEUE_NAMES, db, queue, redis_client


def _timed(fn) -> dict:
    start = time.perf_counter()
    try:
        extra = fn() or {}
        return {"ok": True, "latency_ms": round((time.perf_counter() - start) * 1000, 2), **extra}
    except Exception as exc:  # a health check reports failures, it does not raise them
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}


def _database():
    db.session.execute(text("SELECT 1"))
    db.session.rollback()
    return {"dialect": db.engine.dialect.name}


def _redis():
    redis_client().ping()


def _queues():
    conn = redis_client()
    queues = {}
    for name in QUEUE_NAMES:
        q = queue(name)
        queues[name] = {"queued": q.count,
                        "failed": FailedJobRegistry(queue=q).count,
                        "scheduled": ScheduledJobRegistry(queue=q).count}
    workers = Worker.all(connection=conn)
    return {"queues": queues, "workers": len(workers)}


def check_health() -> dict:
    report = {"database": _timed(_database), "redis": _timed(_redis)}
    report["queue"] = _timed(_queues) if report["redis"]["ok"] else {"ok": False, "error": "redis down"}
    # No worker is degraded, not down: requests are served, jobs wait in Redis.
    ok = report["database"]["ok"] and report["redis"]["ok"]
    report["status"] = "ok" if ok else "down"
    if ok and report["queue"].get("workers", 0) == 0:
        report["warnings"] = ["no RQ worker is running; jobs wait in the queue"]
    return report
