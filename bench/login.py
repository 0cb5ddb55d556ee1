"""Logins per second through gunicorn (WeChat sandbox code2Session, user upsert, session row,
signed token), beside a bare Flask endpoint under the same gunicorn settings, in the same run.

    .venv/bin/python bench/login.py [--seconds 5] [--concurrency 8] [--workers 2] [--rounds 3]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python bench/login.py

Rounds alternate bare and login so drift on a shared machine hits both; the ratio printed is
of the median rounds."""
from __future__ import annotations

import argparse
import os
import statistics

from harness import alternate, environment, gunicorn


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    def bare(session, i):
        return session.post(f"{bare_url}/bare", json={"code": f"bench-{i % 200}"}, timeout=10).status_code == 200

    def login(session, i):
        res = session.post(f"{app_url}/api/v1/auth/login", json={"code": f"bench-{i % 200}"}, timeout=10)
        return res.status_code == 200

    with environment(args.database_url or os.environ.get("DATABASE_URL")) as env:
        with gunicorn(env, "bench.bare_app:app", args.workers, "/bare") as bare_url, \
                gunicorn(env, "wsgi:app", args.workers, "/healthz") as app_url:
            bares, logins = alternate(bare, login, "login", args.concurrency, args.seconds, args.rounds)
    b = statistics.median(x["rps"] for x in bares)
    l_ = statistics.median(x["rps"] for x in logins)
    db = "PostgreSQL" if "postgres" in env["DATABASE_URL"] else "SQLite"
    print(f"\nlogin bench ({db}, gunicorn {args.workers} workers, {args.concurrency} clients, "
          f"{args.rounds}×{args.seconds:g}s rounds)")
    print(f"median bare Flask: {b:.1f} req/s   median login: {l_:.1f} logins/s   ratio login/bare: {l_ / b:.2f}")
    print(f"median login p50 {statistics.median(x['p50_ms'] for x in logins):.1f} ms, "
          f"p99 {statistics.median(x['p99_ms'] for x in logins):.1f} ms")


if __name__ == "__main__":
    main()
