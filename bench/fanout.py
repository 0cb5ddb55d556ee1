"""How long N reminders take from plan to sandbox delivery with 1, 2 and 4 RQ workers, and the
duplicates found (must be 0). Every user has a draft and a subscribe consent, so every
reminder is a subscribe message through the sandbox, which can hold each send for --delay
seconds (WeChat answers in tens to hundreds of milliseconds). --rate caps sends per second
across all workers (WECHAT_SEND_RATE); the busiest second the sandbox saw is reported, and the
busiest ten seconds' average: the cap spaces the moments sends are released (wechat/rate.py),
and on a loaded machine a released send may reach the sandbox a little later, so one second's
arrivals can hold a few more than the cap while any longer stretch holds at most the cap.
--profile runs one batch in this process under cProfile first and prints its top lines.

    .venv/bin/python bench/fanout.py [--reminders 100000] [--workers 1 2 4] [--delay 0.1] [--rate 400]

Creating 100 000 users takes a while; start with --reminders 5000."""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta

import requests
from harness import ROOT, app_in_process, environment
from tests.e2e.processes import stop


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reminders", type=int, default=100_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--delay", type=float, default=0.0, help="seconds the sandbox holds each send")
    parser.add_argument("--rate", type=int, default=0, help="cap on sends per second, all workers together")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="first profile one batch of N deliveries in this process")
    args = parser.parse_args()
    with environment(os.environ.get("DATABASE_URL"), sandbox_threads=256) as env:
        if args.rate:
            env["WECHAT_SEND_RATE"] = str(args.rate)
        app = app_in_process(env)             # its environment before server is imported
        from sqlalchemy import delete, func, insert, literal, select, update

        from server.extensions import db, queue
        from server.models import Delivery, Entry, ReminderSlot, Season, SubscriptionConsent, User
        from server.services import reminders
        from server.timeutil import utcnow
        results = []
        with app.app_context():
            season = db.session.scalar(select(Season).order_by(Season.id.desc()))
            season.reminders = {**season.reminders, "quiet_start": "23:59", "quiet_end": "00:00"}
            db.session.commit()
            began = time.perf_counter()
            for start in range(0, args.reminders, 5000):
                n = min(5000, args.reminders - start)
                db.session.execute(insert(User), [{"openid": f"o-fan-{start + i:07d}", "created_at": utcnow()}
                                                  for i in range(n)])
                ids = db.session.scalars(select(User.id).where(User.openid.like("o-fan-%"))
                                         .order_by(User.id.desc()).limit(n)).all()
                db.session.execute(insert(Entry), [{"season_id": season.id, "created_by_id": uid, "status": "draft",
                                                    "version": 1, "created_at": utcnow(), "updated_at": utcnow()}
                                                   for uid in ids])
                db.session.commit()
            print(f"created {args.reminders} users with drafts in {time.perf_counter() - began:.0f} s", flush=True)
            slot = reminders.replan(season)[0]
            sandbox = env["WECHAT_SANDBOX_URL"] + "/__sandbox__"

            def reset_round():
                db.session.execute(delete(Delivery))
                db.session.execute(delete(SubscriptionConsent))
                db.session.execute(insert(SubscriptionConsent).from_select(
                    ["user_id", "template", "remaining", "updated_at"],
                    select(User.id, literal("deadline_reminder"), literal(1), literal(utcnow())).where(
                        User.openid.like("o-fan-%"))))
                db.session.execute(update(ReminderSlot).values(status="done"))   # only this slot runs
                db.session.execute(update(ReminderSlot).where(ReminderSlot.id == slot.id).values(
                    status="planned", send_at=utcnow() - timedelta(minutes=5)))
                db.session.commit()
                for name in ("high", "default", "low"):
                    queue(name).empty()
                requests.post(sandbox + "/reset", timeout=10)
                if args.delay:
                    requests.post(sandbox + "/faults", json={"endpoint": "subscribe_send", "delay": args.delay},
                                  timeout=10)

            if args.profile:
                reset_round()
                ids = reminders._deliveries_for(db.session.get(ReminderSlot, slot.id),
                                                reminders.audience(season))[:args.profile]
                profiler = cProfile.Profile()
                t0 = time.perf_counter()
                profiler.runcall(reminders.deliver_batch, ids)
                took = time.perf_counter() - t0
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(18)
                print(f"profile: one batch of {len(ids)} deliveries in {took:.2f} s ({len(ids) / took:.0f}/s)")
                print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:4000], flush=True)
            for workers in [w for w in args.workers if w]:
                reset_round()
                # Workers run before the slot is due, as they do in production (scripts/run.sh
                # starts them with the service): the clock starts when the slot's job is queued.
                procs = [subprocess.Popen([sys.executable, "-m", "workers.worker", "low"], cwd=ROOT, env=env,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(workers)]
                try:
                    _wait_for_workers(workers, procs)
                    t0, wall0 = time.perf_counter(), time.time()
                    queue("low").enqueue("workers.reminders.run_slot", slot.id, reminders.epoch(slot),
                                         job_timeout=3600)
                    while True:
                        time.sleep(1)
                        db.session.expire_all()
                        total = db.session.scalar(select(func.count()).select_from(Delivery))
                        pending = db.session.scalar(select(func.count()).select_from(Delivery).where(
                            Delivery.status.in_(("pending", "sending"))))
                        if time.perf_counter() - t0 > 1800:
                            break
                        if total >= args.reminders and pending == 0:
                            break
                    took = time.perf_counter() - t0
                finally:
                    for p in procs:
                        stop(p)
                calls = requests.get(env["WECHAT_SANDBOX_URL"] + "/__sandbox__/calls",
                                     params={"endpoint": "subscribe_send"}, timeout=60).json()["calls"]
                per_user = Counter(c["data"]["touser"] for c in calls if c["errcode"] == 0)   # accepted ones
                duplicates = sum(n - 1 for n in per_user.values() if n > 1)
                per_second = Counter(int(c["at"]) for c in calls)
                if calls:
                    span = max(c["at"] for c in calls) - min(c["at"] for c in calls)
                    print(f"  first send {min(c['at'] for c in calls) - wall0:.1f} s after the slot's job was queued; "
                          f"sending phase: {len(calls)} sends in {span:.1f} s = {len(calls) / max(span, 1e-3):.0f}/s "
                          f"(of {took:.0f} s from the slot job to the last outcome)",
                          flush=True)
                busiest = max(per_second.values(), default=0)
                ten = max((sum(per_second.get(s0 + k, 0) for k in range(10)) / 10 for s0 in per_second), default=0)
                sent = db.session.scalar(select(func.count()).select_from(Delivery).where(Delivery.status == "sent"))
                outcomes = dict(db.session.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all())
                results.append((workers, took, sent, len(per_user), duplicates, busiest))
                print(f"{workers} worker(s): {took:7.1f} s   {args.reminders / took:7.0f} reminders/s   "
                      f"sent {sent}, received by {len(per_user)} users, duplicates {duplicates}, "
                      f"busiest second {busiest} sends, busiest ten seconds {ten:.0f}/s, outcomes {outcomes}",
                      flush=True)
    if not results:
        return
    print(f"\nfan-out bench: {args.reminders} reminders, plan → sandbox delivery, sandbox delay {args.delay} s, "
          f"rate cap {args.rate or 'none'}/s")
    base = results[0][1]
    for workers, took, sent, users, dups, busiest in results:
        print(f"  {workers} worker(s): {took:.1f} s = {args.reminders / took:.0f}/s  (speed-up ×{base / took:.2f})  "
              f"duplicates {dups}, busiest second {busiest}")


def _wait_for_workers(n: int, procs: list, limit: float = 120) -> None:
    """Until n RQ workers have registered with Redis (each is then waiting for jobs)."""
    from rq import Worker

    from server.extensions import redis_client
    deadline = time.monotonic() + limit
    while len(Worker.all(connection=redis_client())) < n:
        if any(p.poll() is not None for p in procs) or time.monotonic() > deadline:
            raise SystemExit("the RQ workers did not start")
        time.sleep(0.2)


if __name__ == "__main__":
    main()
