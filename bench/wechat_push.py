"""Signed push messages per second through gunicorn, with dedupe and durable recording (an
INSERT ... ON CONFLICT DO NOTHING committed, the sender announced to the workers' dispatcher
in Redis), beside WeRoBot echoing the same messages under the same gunicorn settings, in the
same run; then the time from push to the customer-service reply at p50/p99 with RQ workers
(and their dispatchers) running.

    .venv/bin/python bench/wechat_push.py [--seconds 5] [--concurrency 16] [--workers 2]

WeRoBot is installed in the benchmark's own virtualenv (instance/bench-werobot), not the
project's. Target (issue 4): at least WeRoBot's messages per second. WeRoBot runs as a plain
echo (no session storage); WEROBOT_SESSION=1 gives it its default SQLite sessions instead."""
from __future__ import annotations

import argparse
import itertools
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests
from harness import ROOT, alternate, app_in_process, environment, gunicorn
from tests.e2e.processes import free_port, stop, wait_http
from tests.wechat_push import push_args, xml_text

WEROBOT_VENV = ROOT / "instance" / "bench-werobot"


def werobot_python() -> Path:
    py = WEROBOT_VENV / "bin" / "python"
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(WEROBOT_VENV)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", "werobot==1.13.1", "gunicorn==27.0.1"], check=True)
    return py


def werobot_server(workers: int):
    port = free_port()
    proc = subprocess.Popen([str(werobot_python()), "-m", "gunicorn", "--workers", str(workers), "--bind",
                             f"127.0.0.1:{port}", "--log-level", "warning", "--chdir", str(ROOT / "bench"),
                             "werobot_app:app"], cwd=ROOT,
                            env={**os.environ, "WEROBOT_SESSION_DIR": str(WEROBOT_VENV)})
    url = f"http://127.0.0.1:{port}"
    wait_http(url + "/")
    return proc, url


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--latency-messages", type=int, default=60)
    parser.add_argument("--users", type=int, default=0,
                        help="distinct senders; 0 (default) = every message from a new user, as at peak: one job each, none coalesced")
    args = parser.parse_args()
    ids = itertools.count(10_000_000)
    lock = threading.Lock()

    def pusher(base_url):
        def send(session, i):
            with lock:
                msg_id = next(ids)
            sender = f"o-bench-{msg_id}" if args.users == 0 else f"o-bench-{i % args.users:03d}"
            args_, body = push_args(xml_text(sender, "帮助", msg_id))
            res = session.post(f"{base_url}/wechat/callback",
                               params=args_, data=body.encode(), headers={"Content-Type": "text/xml"}, timeout=30)
            return res.status_code == 200
        return send

    with environment(os.environ.get("DATABASE_URL")) as env:
        robot, robot_url = werobot_server(args.workers)
        try:
            with gunicorn(env, "wsgi:app", args.workers, "/healthz") as app_url:
                robots, ours = alternate(pusher(robot_url), pusher(app_url), "our push endpoint",
                                         args.concurrency, args.seconds, args.rounds, baseline="WeRoBot echo")
                latencies = reply_latency(env, app_url, args)
        finally:
            stop(robot)
    r = statistics.median(x["rps"] for x in robots)
    o = statistics.median(x["rps"] for x in ours)
    senders = "a new sender per message" if args.users == 0 else f"{args.users} senders"
    print(f"\npush bench (gunicorn {args.workers} workers, {args.concurrency} clients, {senders}, "
          f"{args.rounds}×{args.seconds:g}s)")
    print(f"median WeRoBot echo: {r:.1f} msg/s   median ours (dedupe + durable row + announcement): {o:.1f} msg/s   "
          f"ratio: {o / r:.2f} (target ≥ 1.00)")
    print(f"median p99 ours {statistics.median(x['p99_ms'] for x in ours):.1f} ms, "
          f"WeRoBot {statistics.median(x['p99_ms'] for x in robots):.1f} ms")
    if latencies:
        latencies.sort()
        print(f"push → customer-service reply with {args.workers} RQ workers: n={len(latencies)} "
              f"p50 {latencies[len(latencies) // 2] * 1000:.0f} ms, "
              f"p99 {latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))] * 1000:.0f} ms")


def reply_latency(env: dict, app_url: str, args) -> list[float]:
    """Clear the backlog of the throughput run, start workers, push at a steady pace and time
    each push until the sandbox records the reply to that user."""
    sandbox = env["WECHAT_SANDBOX_URL"]
    app = app_in_process(env)                 # its environment before server is imported
    from server.extensions import db, queue, redis_client
    from server.models import InboundMessage
    from server.services.inbound import READY
    from server.timeutil import utcnow
    with app.app_context():
        queue("high").empty()
        redis_client().delete(READY)          # and the announcements not yet turned into jobs
        db.session.execute(InboundMessage.__table__.update().where(InboundMessage.processed_at.is_(None))
                           .values(processed_at=utcnow(), outcome="ignored"))
        db.session.commit()
    requests.post(f"{sandbox}/__sandbox__/reset", timeout=5)
    workers = [subprocess.Popen([sys.executable, "-m", "workers.worker", "high"], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(args.workers)]
    try:
        time.sleep(3)
        sent: dict[str, float] = {}
        session = requests.Session()
        for n in range(args.latency_messages):
            openid = f"o-latency-{n:04d}"
            a, body = push_args(xml_text(openid, "帮助", 20_000_000 + n))
            sent[openid] = time.time()
            session.post(f"{app_url}/wechat/callback", params=a, data=body.encode(),
                         headers={"Content-Type": "text/xml"}, timeout=10)
            time.sleep(0.1)
        deadline = time.time() + 60
        replied: dict[str, float] = {}
        while time.time() < deadline and len(replied) < len(sent):
            for call in requests.get(f"{sandbox}/__sandbox__/calls", params={"endpoint": "custom_send"}, timeout=5).json()["calls"]:
                user = call["data"].get("touser")
                if user in sent and user not in replied:
                    replied[user] = call["at"]
            time.sleep(0.5)
        return [replied[u] - sent[u] for u in replied]
    finally:
        for w in workers:
            stop(w)


if __name__ == "__main__":
    main()
