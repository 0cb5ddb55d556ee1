"""Dialogue turns per second and p50/p99 latency for 32 concurrent users through gunicorn,
beside a bare Flask endpoint under the same gunicorn settings, in the same run.

    .venv/bin/python bench/dialogue.py                       # SQLite (embedded)
    .venv/bin/python bench/dialogue.py --database-url postgresql://postgres@127.0.0.1:5432/test

Each simulated user logs in, starts an entry and answers the flow's questions in a loop
(category → unit → dates, use, in production → … → benefit, then 放弃/是 and 申报 again), so every request is a
full turn: lock the conversation, parse, check the rules, store, choose the next question,
commit. Every answer must move the user on: an answer the flow rejects is counted and the
bench fails, since a script out of step with the flow would time error replies instead.
Target (issue 3): at least 0.4× the bare endpoint's throughput and p99 under 50 ms."""
from __future__ import annotations

import argparse
import os
import statistics
import threading

import requests
from harness import alternate, environment, fmt, gunicorn, load, round_ratios

from server.config import web_workers

SCRIPT = ["2", "煤炭", "皮带输送机自动纠偏装置", "煤机", "PLACEHOLDER_START", "PLACEHOLDER_DONE", "PLACEHOLDER_DONE", "是",
          "否", "否",
          "针对皮带跑偏频繁停机的问题，加装自动纠偏装置，跑偏停机由每月12次降到1次，年节约维修费8万元。",
          "经济", "12万元", "放弃", "是", "申报"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--workers", type=int, default=web_workers(),
                        help="gunicorn workers for both servers (default: the service's own, WEB_WORKERS or cores + 1)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker (gthread)")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--think", type=float, default=0.5,
                        help="mean pause between one user's messages in the paced run (s)")
    args = parser.parse_args()

    from server.timeutil import china_today
    today = china_today()
    script = [s.replace("PLACEHOLDER_START", f"{today.year - 1}年{today.month}月")
               .replace("PLACEHOLDER_DONE", f"{today.year}年{today.month}月") for s in SCRIPT]

    with environment(args.database_url or os.environ.get("DATABASE_URL")) as env:
        with gunicorn(env, "bench.bare_app:app", args.workers, "/bare", args.threads) as bare_url, \
                gunicorn(env, "wsgi:app", args.workers, "/healthz", args.threads) as app_url:
            tokens = []
            for i in range(args.users):
                token = requests.post(f"{app_url}/api/v1/auth/login", json={"code": f"bench-user-{i}"},
                                      timeout=10).json()["token"]
                requests.post(f"{app_url}/api/v1/dialogue/messages", json={"text": "申报"},
                              headers={"Authorization": f"Bearer {token}"}, timeout=10)
                tokens.append(token)
            positions = [0] * args.users
            steps: list[str | None] = [None] * args.users
            rejected: list[str] = []
            server_ms: list[float] = []
            lock = threading.Lock()

            def turn(session, i):
                user = i % args.users
                with lock:
                    text = script[positions[user] % len(script)]
                    positions[user] += 1
                res = session.post(f"{app_url}/api/v1/dialogue/messages", json={"text": text},
                                   headers={"Authorization": f"Bearer {tokens[user]}"}, timeout=30)
                step = (res.json().get("state") or {}).get("step") if res.status_code == 200 else None
                if text != "放弃" and step is not None and step == steps[user]:
                    rejected.append(f"{text} at {step}")       # the flow asked again: not a step forward
                steps[user] = step
                timing = res.headers.get("Server-Timing", "")
                if timing.startswith("app;dur="):
                    server_ms.append(float(timing[len("app;dur="):]))     # list.append is thread-safe
                return res.status_code == 200

            def bare(session, i):
                return session.post(f"{bare_url}/bare", json={"text": "2"}, timeout=30).status_code == 200

            bares, turns = alternate(bare, turn, "dialogue turn", args.users, args.seconds, args.rounds)
            paced_bare = load(bare, args.users, args.seconds * 2, think=args.think)
            server_ms.clear()
            paced = load(turn, args.users, args.seconds * 2, think=args.think)
            paced_server = sorted(server_ms)
            print(fmt("paced bare Flask", paced_bare))
            print(fmt("paced dialogue turn", paced), flush=True)
            dbname = "PostgreSQL" if "postgres" in env["DATABASE_URL"] else "SQLite"
    b = statistics.median(x["rps"] for x in bares)
    d = statistics.median(x["rps"] for x in turns)
    p50 = statistics.median(x["p50_ms"] for x in turns)
    p99 = statistics.median(x["p99_ms"] for x in turns)
    print(f"\ndialogue bench ({dbname}, gunicorn {args.workers} workers × {args.threads} threads, {args.users} concurrent users, "
          f"{args.rounds}×{args.seconds:g}s rounds)")
    ratios = round_ratios(bares, turns)
    print(f"median bare Flask: {b:.1f} req/s   median dialogue: {d:.1f} turns/s   ratio of medians: {d / b:.2f}")
    print(f"ratio round by round: {' '.join(f'{r:.2f}' for r in ratios)} → median {statistics.median(ratios):.2f} "
          f"(target ≥ 0.40)")
    print(f"saturated (closed loop): dialogue p50 {p50:.1f} ms, p99 {p99:.1f} ms; "
          f"bare p99 {statistics.median(x['p99_ms'] for x in bares):.1f} ms — queueing, not work")
    print(f"paced ({args.users} users, one message every ~{args.think:g}s each, {paced['rps']:.0f} turns/s offered): "
          f"dialogue p50 {paced['p50_ms']:.1f} ms, p99 {paced['p99_ms']:.1f} ms (target p99 < 50 ms); "
          f"bare p50 {paced_bare['p50_ms']:.1f} ms, p99 {paced_bare['p99_ms']:.1f} ms")
    if paced_server:
        at = lambda q: paced_server[min(len(paced_server) - 1, int(q * len(paced_server)))]  # noqa: E731
        print(f"  the same paced turns as the app timed them (Server-Timing): p50 {at(0.5):.1f} ms, "
              f"p99 {at(0.99):.1f} ms — the rest of the client's figure is waiting for a worker or a core")
    if rejected:
        raise SystemExit(f"{len(rejected)} answers were rejected by the flow (e.g. {rejected[:3]}): "
                         "the script is out of step with the flow, so these figures time error replies")


if __name__ == "__main__":
    main()
