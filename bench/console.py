"""Server time of each office-console page with 1,000 units, 10,000 users and 100,000 audit
rows (issue 14; goal: under 200 ms, median of several runs), on SQLite or PostgreSQL.

    .venv/bin/python bench/console.py [--runs 7]
    .venv/bin/python bench/console.py --database-url postgresql://postgres@127.0.0.1:5432/test

The pages are requested in-process through Flask's test client; the time printed is the app's
own (its `Server-Timing` header), so it is the server's work without any network or client."""
from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
from datetime import timedelta

from harness import app_in_process, environment

UNITS, USERS, AUDIT = 1000, 10_000, 100_000


def populate() -> dict:
    """Bulk rows under the demo tree: units spread over the counties, users with roles on them,
    audit rows by those users about orgs, seasons and users."""
    from sqlalchemy import insert, select

    from server.extensions import db
    from server.models import AuditEvent, Organisation, RoleAssignment, User
    from server.services.orgs import add_org
    from server.timeutil import utcnow

    counties = db.session.scalars(select(Organisation).where(Organisation.kind == "county")).all()
    units = []
    for i in range(UNITS):
        units.append(add_org(f"基准单位{i:04d}", "unit", counties[i % len(counties)], unit_type="state_owned",
                             system="union", employee_count=100 + i))
    db.session.commit()
    unit_ids = [u.id for u in units]
    db.session.execute(insert(User), [{"openid": f"o-bench-{i}", "name": f"职工{i:05d}", "phone": f"139{i:08d}",
                                       "created_at": utcnow()} for i in range(USERS)])
    user_ids = db.session.scalars(select(User.id).where(User.openid.like("o-bench-%"))).all()
    db.session.execute(insert(RoleAssignment), [
        {"user_id": uid, "role": "unit_admin" if n % 20 == 0 else "participant", "org_id": unit_ids[n % UNITS]}
        for n, uid in enumerate(user_ids)])
    now, rng = utcnow(), random.Random(7)
    actions = ("org_updated", "role_granted", "season_updated", "console_login")
    for start in range(0, AUDIT, 10_000):
        db.session.execute(insert(AuditEvent), [
            {"at": now - timedelta(minutes=AUDIT - n), "actor_id": rng.choice(user_ids), "action": actions[n % 4],
             "object_type": ("org", "user", "season", "user")[n % 4], "object_id": rng.choice(unit_ids),
             "data": {"changes": {"name": ["旧", "新"]}}} for n in range(start, start + 10_000)])
    db.session.commit()
    from sqlalchemy import text
    if db.engine.dialect.name == "postgresql":     # planner statistics, as autovacuum keeps them live
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
    return {"unit": unit_ids[len(unit_ids) // 2], "user": user_ids[len(user_ids) // 2]}


def login(client, code: str) -> None:
    page = client.get("/console/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    assert client.post("/console/login/demo", data={"code": code, "csrf_token": token}).status_code == 302


def timed(client, path: str, runs: int) -> tuple[float, int]:
    times, status = [], 0
    for _ in range(runs):
        res = client.get(path)
        status = res.status_code
        times.append(float(res.headers["Server-Timing"].split("dur=")[1]))
    return statistics.median(times), status


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with environment(args.database_url or os.environ.get("DATABASE_URL")) as env:
        app = app_in_process(env)
        with app.app_context():
            from sqlalchemy import select

            from server.extensions import db
            from server.models import Season
            ids = populate()
            season = db.session.scalar(select(Season.id))
            db.session.remove()
        db_name = "PostgreSQL" if "postgres" in env["DATABASE_URL"] else "SQLite"
        print(f"{db_name}: {UNITS} units, {USERS} users, {AUDIT} audit rows; median of {args.runs} runs (app time)")
        pages = {"demo-city-admin": ["/console/", "/console/seasons", f"/console/seasons/{season}", "/console/orgs",
                                     f"/console/orgs/{ids['unit']}", "/console/people", "/console/people?q=职工0001",
                                     "/console/people?role=unit_admin&sort=last_login&dir=desc&page=5",
                                     f"/console/people/{ids['user']}", "/console/audit",
                                     "/console/audit?action=org_updated&page=20", "/console/audit?actor=职工00",
                                     "/console/health", "/console/orgs/export.xlsx"],
                 "demo-county-admin": ["/console/orgs", "/console/people", "/console/audit"]}
        worst = 0.0
        for code, paths in pages.items():
            client = app.test_client()
            login(client, code)
            for path in paths:
                ms, status = timed(client, path, args.runs)
                if not path.endswith(".xlsx"):          # a download, not a page
                    worst = max(worst, ms)
                print(f"  {code:18s} {path:62s} {status}  {ms:7.1f} ms")
        print(f"slowest page (downloads aside): {worst:.1f} ms ({'within' if worst < 200 else 'OVER'} the 200 ms goal)")


if __name__ == "__main__":
    sys.exit(main())
