"""附件6 statistics for a city of 1,000 units and 100,000 entries (issue 18): server time of the
whole statistics answer (tables, funnel, participation), and the 附件6 .xlsx export's time and
peak memory — beside a baseline measured in the same run: one COUNT(*) over the season's
entries (the least any statistic must read). Then the per-entry export (附件3 + 附件4, a PDF and
a .docx per entry, zipped; the job's own code, review/profiles.write_zip) of a county's
recommended set of --export-entries entries: time, per-entry time, zip size, and peak memory
(Python's tracemalloc peak and the process's peak RSS growth), so a 100,000-entry set's
memory bound can be read off several sizes (--export-entries 200,1000 prints each).

    .venv/bin/python bench/stats.py [--units 1000] [--entries 100000] [--runs 7] [--export-entries 1000]
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
import threading
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
    parser.add_argument("--export-entries", default="1000",
                        help="sizes of the 附件3/附件4 set to export, comma-separated (0: skip)")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)       # each figure as it comes, also into a file
    from harness import migrated_app
    app, tmp = migrated_app(args.database_url, "stats")     # its environment before server is imported
    from sqlalchemy import func, select

    from server.extensions import db
    from server.models import Entry
    from server.services import stats, stats_export

    with app.app_context():
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
        # printed as soon as measured: the exports that follow can take hours on a busy machine
        b, f = statistics.median(base), statistics.median(full)
        print(f"machine load (1, 5, 15 min): {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
        print(f"baseline COUNT(*) of the season's entries: median {b:.1f} ms  (runs: {', '.join(f'{x:.0f}' for x in base)})")
        print(f"statistics (附件6 + funnel + participation): median {f:.1f} ms  (runs: {', '.join(f'{x:.0f}' for x in full)})"
              f"  = {f / b:.1f}× the baseline; goal < 200 ms: {'met' if f < 200 else 'MISSED'}")
        print(f"附件6 .xlsx export: {export_ms:.0f} ms, {len(body) / 1024:.0f} KiB, peak Python memory {peak:.1f} MiB")
        sizes = [int(n) for n in args.export_entries.split(",") if int(n) > 0]
        for n in sizes:
            n, seconds, size, rss_before, rss_peak, per_doc = export_set(user, season, n, tmp)
            print(f"附件3/附件4 set of {n} entries (PDF + .docx each, zipped): {seconds:.1f} s = {seconds / n * 1000:.0f} ms "
                  f"per entry (100,000 at this rate: {seconds / n * 100_000 / 3600:.1f} h), zip {size / 2 ** 20:.1f} MiB; "
                  f"process RSS {rss_before:.0f} MiB before, peak {rss_peak:.0f} MiB while exporting "
                  f"(growth {rss_peak - rss_before:.0f} MiB; bound 200 MB); load {os.getloadavg()[0]:.1f}")
            print(f"  CPU time of the whole set {per_doc['set_cpu']:.1f} s = {per_doc['set_cpu'] / n * 1000:.0f} ms per entry "
                  f"(100,000 on one free core: {per_doc['set_cpu'] / n * 100_000 / 3600:.1f} h)")
            print(f"  one entry, median CPU: PDF {per_doc['pdf']:.0f} ms (font cut per document) vs "
                  f"{per_doc['pdf_before']:.0f} ms (base font file read per document, before) = "
                  f"{per_doc['pdf_before'] / per_doc['pdf']:.1f}× faster; .docx {per_doc['docx']:.0f} ms")


def export_set(user, season, n: int, tmp: Path):
    """A county's recommended set of n entries with leaders, exported the job's way."""
    from sqlalchemy import insert, select

    from server.extensions import db
    from server.models import Entry, EntryReview, Organisation, Person
    from server.services.review import profile_font, profiles
    from server.timeutil import utcnow

    county = db.session.scalar(select(Organisation).where(Organisation.name == "县0"))
    unit = db.session.scalar(select(Organisation).where(Organisation.parent_id == county.id).limit(1))
    other = db.session.scalar(select(Organisation).where(Organisation.name == "晋城市"))
    now = utcnow()
    leader = Person(name="张建国", gender="male", birth_month="1985-06", work_start="2006-07",
                    political_status="中共党员", skill_level="技师", education="大学专科",
                    highest_honor="晋城市五一劳动奖章", bio="2006年参加工作，一直从事综采设备维修，先后任维修工、班长。" * 4,
                    deeds="带领班组5人攻关3个月，完成设计、试制和改进，装置运行稳定。" * 5)
    db.session.add(leader)
    db.session.flush()
    from PIL import Image                 # the leader's 2寸 photo, embedded in every PDF and .docx
    from server.config import INSTANCE_DIR
    from server.models import Attachment
    key = f"bench/photo-{leader.id}.jpg"
    (INSTANCE_DIR / key).parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (350, 490), (200, 30, 30)).save(INSTANCE_DIR / key, "JPEG")
    db.session.add(Attachment(person_id=leader.id, kind="photo", filename="photo.jpg", content_type="image/jpeg",
                              size=(INSTANCE_DIR / key).stat().st_size, sha256="0" * 64, storage_key=key,
                              width=350, height=490))
    db.session.flush()
    start = db.session.scalar(select(func_max(Entry.id))) or 0
    db.session.execute(insert(Entry), [
        {"season_id": season.id, "created_by_id": user.id, "status": "county_recommended", "unit_id": unit.id,
         "title": f"皮带输送机自动纠偏装置第{i}号", "started_on": "2025-01", "completed_on": "2025-09",
         "patent_granted": i % 3 == 0, "patent_number": "ZL202021234567.2" if i % 3 == 0 else None,
         "summary": "针对皮带跑偏频繁停机的问题，加装自动纠偏装置，跑偏停机由每月12次降到1次，年节约维修费8万元。" * 6,
         "leader_id": leader.id, "filled_by": "张建国", "responsible_person": "李华", "version": 1,
         "created_at": now, "updated_at": now, "submitted_at": now} for i in range(n)])
    ids = list(db.session.scalars(select(Entry.id).where(Entry.id > start, Entry.status == "county_recommended")))
    db.session.execute(insert(EntryReview), [{"entry_id": i, "unit_org_id": unit.id, "county_org_id": county.id,
                                              "city_org_id": other.id} for i in ids])
    db.session.commit()
    out = tmp / f"set-{n}.zip"
    profile_font.preload()            # as the worker does before it forks the job's work horse
    import gc
    gc.collect()
    rss_before = _rss_mib()
    peak = [rss_before]
    done = threading.Event()

    def sample():                      # the process's resident memory, every 50 ms, while it runs
        while not done.wait(0.05):
            peak[0] = max(peak[0], _rss_mib())
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t0, cpu0 = time.perf_counter(), time.process_time()   # no tracemalloc here: it slows fontTools a lot
    profiles.write_zip(county.id, season.id, "county", None, out)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    done.set()
    sampler.join()
    per_doc = per_document(db.session.get(Entry, ids[0]), unit.name)
    per_doc["set_cpu"] = cpu
    # leave the database as it was for the next size
    db.session.execute(EntryReview.__table__.delete().where(EntryReview.entry_id.in_(ids)))
    db.session.execute(Entry.__table__.delete().where(Entry.id.in_(ids)))
    db.session.commit()
    return n, seconds, out.stat().st_size, rss_before, peak[0], per_doc


def per_document(entry, unit_name: str, runs: int = 9) -> dict[str, float]:
    """Median CPU ms of one entry's PDF the way before (fpdf2 reads the base font file for every
    document) and now (the font read once per process, cut per document), alternating, and of
    its .docx. CPU time, not wall time: the machine is shared."""
    from server.services.certificates import surfaces
    from server.services.review import profile_font, profiles

    photo = profiles.photo_of(entry)
    real_cut, real_file = profile_font.base_cut, surfaces.font_file

    def before():
        profile_font.base_cut = lambda: None
        surfaces.font_file = lambda: (surfaces.base_font()[0], 0)
        try:
            profiles.entry_pdf(entry, unit_name, photo)
        finally:
            profile_font.base_cut, surfaces.font_file = real_cut, real_file

    times: dict[str, list[float]] = {"pdf_before": [], "pdf": [], "docx": []}
    for _ in range(runs):
        for key, fn in (("pdf_before", before), ("pdf", lambda: profiles.entry_pdf(entry, unit_name, photo)),
                        ("docx", lambda: profiles.entry_docx(entry, unit_name, photo))):
            t0 = time.process_time()
            fn()
            times[key].append((time.process_time() - t0) * 1000)
    return {k: statistics.median(v) for k, v in times.items()}


def _rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def func_max(column):
    from sqlalchemy import func
    return func.max(column)


if __name__ == "__main__":
    main()
