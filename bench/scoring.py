"""Panel assignment and aggregation at city scale, in one process on a fresh database.

    .venv/bin/python bench/scoring.py                                   # SQLite (temp file)
    .venv/bin/python bench/scoring.py --database-url postgresql://postgres@127.0.0.1:5432/test_h16

Builds 10 counties × 50 units, 10,000 accepted entries and 200 experts (own units spread over
the same tree, 100 declared conflicts), then times
  1. panels.assign(k=5), three times from empty panels (median): goal under 10 s; checks every
     entry got k conflict-free experts and the experts' loads differ by at most one;
  2. results.ranking over the 50,000 sheets (mean, median, trimmed mean, spread, flags, grades,
     ranks overall and per category), median of 3: goal under 2 s on PostgreSQL.
Baselines measured in the same run: sorting a million floats in Python (the machine's speed
under its present load) and reading the sheets' totals in one query (the floor of any ranking).
The database named is emptied first (use a scratch database)."""
from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def machine_unit() -> float:
    """How fast this machine is right now: sorting a million floats (median of 3 seconds)."""
    from statistics import median
    rnd = random.Random(1)
    data = [rnd.random() for _ in range(1_000_000)]
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        sorted(data)
        runs.append(time.perf_counter() - started)
    return median(runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--experts", type=int, default=200)
    parser.add_argument("--k", type=int, default=5)
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL"):
        os.environ["REDIS_URL"] = "redis://127.0.0.1:1/0"      # never used: no job is queued here
    import logging
    logging.disable(logging.INFO)
    from harness import migrated_app
    app, _ = migrated_app(args.database_url, "scoring")     # its environment before server is imported
    from sqlalchemy import insert, select

    from server.extensions import db
    from server.models import Entry, Expert, ExpertConflict, PanelSeat, Score, User
    from server.services import panels, results
    from server.services.orgs import add_org
    from tests.factories import make_season
    from tests.integration.scoring_world import sheet_for

    with app.app_context():
        rnd = random.Random(16)
        season = make_season("closed")
        city = add_org("晋城市", "city")
        units = []
        for c in range(10):
            county = add_org(f"县{c}", "county", city)
            units += [add_org(f"县{c}单位{u}", "unit", county) for u in range(50)]
        db.session.flush()
        n_users = args.entries + args.experts
        db.session.execute(insert(User), [{"openid": f"o-bench-{i}", "name": f"用户{i}"} for i in range(n_users)])
        user_ids = list(db.session.scalars(select(User.id).order_by(User.id)))
        cats = [c["code"] for c in season.categories]
        db.session.execute(insert(Entry), [
            {"season_id": season.id, "status": "accepted", "created_by_id": user_ids[i], "title": f"成果{i}",
             "category": cats[i % len(cats)], "industry": "煤炭", "unit_id": rnd.choice(units).id,
             "benefit_kind": "economic", "benefit_amount": 50} for i in range(args.entries)])
        db.session.execute(insert(Expert), [
            {"user_id": user_ids[args.entries + j], "unit_id": rnd.choice(units).id,
             "categories": rnd.sample(cats, 3), "industries": []} for j in range(args.experts)])
        entry_ids = list(db.session.scalars(select(Entry.id)))
        expert_ids = list(db.session.scalars(select(Expert.id)))
        db.session.execute(insert(ExpertConflict), [
            {"expert_id": rnd.choice(expert_ids), "entry_id": rnd.choice(entry_ids), "reason": "bench"}
            for _ in range(100)])
        db.session.commit()
        print(f"database: {db.engine.dialect.name}; {args.entries} entries, {args.experts} experts, "
              f"{len(units)} units in 10 counties, 100 declared conflicts")

        from sqlalchemy import delete
        from statistics import median
        unit_s = machine_unit()
        print(f"baseline (same run): sorting 1,000,000 floats in Python, median of 3: {unit_s:.3f} s; "
              f"load average {os.getloadavg()[0]:.1f}")
        assign_runs = []
        for run in range(3):
            if run:
                db.session.execute(delete(PanelSeat))
                db.session.commit()
            db.session.expire_all()
            started = time.perf_counter()
            outcome = panels.assign(None, season, args.k)
            assign_runs.append(time.perf_counter() - started)
        assign_s = median(assign_runs)
        seats = db.session.execute(select(PanelSeat.entry_id, PanelSeat.expert_id)).all()
        per_entry = Counter(e for e, _ in seats)
        loads = Counter(x for _, x in seats)
        from server.services.conflicts import conflict_reason
        sample = rnd.sample(seats, 300)
        conflicted = sum(conflict_reason(db.session.get(Expert, x), db.session.get(Entry, e)) is not None
                         for e, x in sample)
        print(f"panel assignment k={args.k}: median of 3 {assign_s:.2f} s (runs "
              f"{', '.join(f'{x:.2f}' for x in assign_runs)}; goal < 10 s; {assign_s / unit_s:.1f}× the baseline); seats {len(seats)}; "
              f"entries short of k: {len(outcome['short'])}; entries with k: "
              f"{sum(1 for e in entry_ids if per_entry[e] == args.k)}/{len(entry_ids)}; "
              f"loads {min(loads.values())}–{max(loads.values())} (spread {max(loads.values()) - min(loads.values())}); "
              f"conflicts in a sample of 300 seats: {conflicted}")

        sheets = {t: sheet_for(t) for t in range(60, 101)}
        rows = []
        for e, x in seats:
            total = rnd.randint(60, 100)
            rows.append({"season_id": season.id, "entry_id": e, "expert_id": x, "criteria": sheets[total],
                         "total": total, "revision": 1})
        db.session.execute(insert(Score), rows)
        db.session.commit()
        timings, floor = [], []
        for _ in range(3):
            db.session.expire_all()
            started = time.perf_counter()
            ranked = results.ranking(season)
            timings.append(time.perf_counter() - started)
            db.session.expire_all()
            started = time.perf_counter()
            db.session.execute(select(Score.entry_id, Score.expert_id, Score.total)
                               .where(Score.season_id == season.id)).all()
            floor.append(time.perf_counter() - started)
        flagged = sum(r["flagged"] for r in ranked)
        print(f"baseline (same run): reading the {len(rows)} sheets' totals in one query, median of 3: "
              f"{median(floor):.2f} s")
        print(f"aggregation and ranking of {len(ranked)} entries × {args.k} sheets: median of 3 {median(timings):.2f} s "
              f"(best {min(timings):.2f}, worst {max(timings):.2f}; goal < 2 s on PostgreSQL; "
              f"{median(timings) / median(floor):.1f}× reading the totals, {median(timings) / unit_s:.1f}× the sort baseline); "
              f"flagged {flagged}; "
              f"grades {dict(Counter(r['grade'] or 'none' for r in ranked))}")
        db.session.remove()


if __name__ == "__main__":
    main()
