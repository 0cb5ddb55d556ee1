"""附件6 statistics for a city of 1,000 units and 100,000 entries (issue 18): server time of the
whole statistics answer (tables, funnel, participation), and the 附件6 .xlsx export's time and
peak memory — beside a baseline measured in the same run: one COUNT(*) over the season's
entries (the least any statistic must read).

    .venv/bin/python bench/stats.py [--units 1000] [--entries 100000] [--runs 7]
    .venv/bin/python bench/stats.py --database-url postgresql://postgres@127.0.0.1:5432/test

Goal (issue 18): statistics under 200 ms on PostgreSQL (median of the runs). Runs alternate the
baseline and the statistics so a noisy machine hits both; medians and their ratio are printed.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def build(units: int, entries: int):
    from sqlalchemy import func, insert, select

    from server.extensions import db
    from server.models import Entry, RoleAssignment, Season, UnitReport, User
    from server.services.orgs import add_org
    from server.timeutil import china_today, utcnow
    from tests.factories import make_season

    rnd = random.Random(7)
    city = add_org("晋城市", "city")
    counties = [add_org(f"县{i}", "county", city) for i in range(6)]
    types = ["state_owned", "non_public", "public_institution", "college", "estation"]
    systems = {"college": "youth_league", "estation": "science_association"}
    unit_ids = []
    for i in range(units):
        kind = types[i % len(types)]
        org = add_org(f"单位{i}", "unit", counties[i % 6], unit_type=kind, system=systems.get(kind, "union"),
                      employee_count=rnd.randint(20, 3000))
        org.model_key = i % 17 == 0
        unit_ids.append(org.id)
    season = make_season()
    admin = User(openid="bench-city", name="市管理员")
    db.session.add(admin)
    db.session.flush()
    db.session.add(RoleAssignment(user_id=admin.id, role="city_admin", org_id=city.id))
    statuses = ["submitted"] * 6 + ["draft", "returned", "unit_recommended", "county_recommended", "withdrawn"]
    now = utcnow()
    rows = [{"season_id": season.id, "created_by_id": admin.id, "status": rnd.choice(statuses),
             "unit_id": rnd.choice(unit_ids), "benefit_kind": "economic", "benefit_amount": rnd.randint(1, 200),
             "patent_granted": rnd.random() < 0.2, "in_production": rnd.random() < 0.6, "version": 1,
             "created_at": now, "updated_at": now} for _ in range(entries)]
    for start in range(0, len(rows), 5000):
        db.session.execute(insert(Entry), rows[start:start + 5000])
    month = china_today().replace(day=1)
    periods = []
    for _ in range(3):
        month = (month - timedelta(days=1)).replace(day=1)
        periods.append(month.strftime("%Y-%m"))
    db.session.execute(insert(UnitReport), [
        {"org_id": u, "kind": "month", "period": p, "activities": rnd.randint(0, 5), "participants": rnd.randint(0, 20),
         "entries": 0, "promotions": 0, "created_by_id": admin.id, "filed_at": now, "created_at": now,
         "updated_at": now} for u in unit_ids for p in periods])
    db.session.commit()
    # A live database has planner statistics (autovacuum); a bulk load has none until analysed,
    # and without them PostgreSQL sorts 100,000 rows on disk instead of hashing them.
    with db.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()
    assert db.session.scalar(select(func.count()).select_from(Entry)) == entries
    return db.session.get(User, admin.id), city.id, db.session.get(Season, season.id)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="wuxiao-bench-stats-"))
    os.environ.update(APP_ENV="test", SECRET_KEY="bench", INSTANCE_DIR=str(tmp / "instance"),
                      DATABASE_URL=args.database_url or f"sqlite:///{tmp / 'bench.db'}")
    from flask_migrate import upgrade
    from sqlalchemy import MetaData, func, select

    from server import create_app
    from server.extensions import db
    from server.models import Entry
    from server.services import stats, stats_export

    app = create_app()
    with app.app_context():
        existing = MetaData()
        existing.reflect(bind=db.engine)
        existing.drop_all(bind=db.engine)
        upgrade()
        started = time.perf_counter()
        user, city_id, season = build(args.units, args.entries)
        print(f"built {args.units} units, {args.entries} entries in {time.perf_counter() - started:.1f} s "
              f"({db.engine.dialect.name})")

        def baseline():
            db.session.scalar(select(func.count()).select_from(Entry).where(Entry.season_id == season.id))

        def whole():                 # what GET /api/v1/stats/{org_id} computes
            stats.annex6(user, city_id, season.id, with_overview=True)

        base, full = [], []
        for _ in range(args.runs):
            for fn, out in ((baseline, base), (whole, full)):
                db.session.expire_all()
                t0 = time.perf_counter()
                fn()
                out.append((time.perf_counter() - t0) * 1000)
        tracemalloc.start()
        t0 = time.perf_counter()
        body = stats_export.annex6_xlsx(user, city_id, season.id)
        export_ms = (time.perf_counter() - t0) * 1000
        peak = tracemalloc.get_traced_memory()[1] / 2 ** 20
        tracemalloc.stop()
    b, f = statistics.median(base), statistics.median(full)
    print(f"baseline COUNT(*) of the season's entries: median {b:.1f} ms  (runs: {', '.join(f'{x:.0f}' for x in base)})")
    print(f"statistics (附件6 + funnel + participation): median {f:.1f} ms  (runs: {', '.join(f'{x:.0f}' for x in full)})"
          f"  = {f / b:.1f}× the baseline; goal < 200 ms: {'met' if f < 200 else 'MISSED'}")
    print(f"附件6 .xlsx export: {export_ms:.0f} ms, {len(body) / 1024:.0f} KiB, peak Python memory {peak:.1f} MiB")


if __name__ == "__main__":
    main()
