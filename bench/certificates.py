"""Certificates: issued per second and PNG / PDF renders per second on one core (one process),
then verifications per second through gunicorn (signature, register row, rate-limit counter in
Redis) beside a bare Flask endpoint under the same gunicorn settings, in the same run.

    .venv/bin/python bench/certificates.py [--certificates 200] [--renders 10] [--seconds 5]
        [--concurrency 8] [--workers 2] [--rounds 3] [--render-rounds 3]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python bench/certificates.py

It also projects the issue's goal (a season's 2,000 certificates in both formats with 2 workers)
from the measured rates."""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

from harness import ROOT, alternate, environment, gunicorn, round_ratios

PREPARE = r"""
import json, sys, time
from server import create_app
from server.extensions import db
from tests.factories import make_awarded, make_season, make_tree, make_user
from server.services.certificates import issue, render
n, renders, rounds = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
app = create_app()
with app.app_context():
    tree = make_tree("基准区", "基准示范机械有限公司")
    user = make_user("欧阳建国", ("participant", tree.unit))
    season, before = make_season(name="基准赛季"), make_season(name="基准赛季（旧法）")
    for s in (before, season):
        for i in range(n):
            make_awarded(user, ("special", "first", "second", "third", "excellent")[i % 5], season=s,
                         title=f"第{i}号皮带输送机自动纠偏装置的研制与推广应用")
    db.session.commit()
    db.session.expire_all()
    began = time.perf_counter()                     # the previous way: one commit per certificate
    for entry_id in issue.awarded_entry_ids(before.id):
        issue.issue_for_entry(entry_id)
    issued_before = time.perf_counter() - began
    db.session.expire_all()
    began = time.perf_counter()
    issue.issue_for_season(season.id)
    issued = time.perf_counter() - began
    from sqlalchemy import select
    from server.models import Certificate
    certs = db.session.scalars(select(Certificate).where(Certificate.season_id == season.id)
                               .order_by(Certificate.id)).all()
    from server.services.certificates import surfaces
    # The previous settings (CFF base font of all GB 2312, best-of-eight QR mask, per-image octree
    # palette, zlib 6) measured beside the current ones, alternating, on the same certificates.
    settings = {"baseline": ({"truetype": False, "png_palette": "octree", "png_zlib": 6, "level1": False}, None),
                "current": (dict(surfaces.SETTINGS), render.QR_MASK)}

    def use(name):
        surfaces.SETTINGS.update(settings[name][0])
        render.QR_MASK = settings[name][1]
        render.qr_matrix.cache_clear()

    for name in settings:                                   # warm: fonts, layout, base font cuts
        use(name); render.png(certs[0]); render.pdf(certs[0])
    got = {name: {"png": [], "pdf": []} for name in settings}
    batch = certs[1:renders + 1]
    for _ in range(rounds):
        for name in settings:
            use(name)                                       # PNG then PDF of each: the QR is made once
            t = time.perf_counter(); [render.png(c) for c in batch]; got[name]["png"].append(len(batch) / (time.perf_counter() - t))
            t = time.perf_counter(); [render.pdf(c) for c in batch]; got[name]["pdf"].append(len(batch) / (time.perf_counter() - t))
    import statistics
    out = {name: {fmt: statistics.median(v) for fmt, v in r.items()} for name, r in got.items()}
    png, pdf = out["current"]["png"], out["current"]["pdf"]
    paths = [issue.url_for(c, "").replace("/verify/", "/api/v1/certificates/", 1) for c in certs]
    print(json.dumps({"issued_per_s": n / issued, "issued_before_per_s": n / issued_before, "png_per_s": png, "pdf_per_s": pdf, "renders": out,
                      "paths": paths}))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--certificates", type=int, default=200)
    parser.add_argument("--renders", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--render-rounds", type=int, default=3)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    with environment(args.database_url or os.environ.get("DATABASE_URL")) as env:
        env = dict(env, CERT_VERIFY_PER_MINUTE="100000000")   # the counter still runs; it never refuses
        out = subprocess.run([sys.executable, "-c", PREPARE, str(args.certificates), str(args.renders),
                              str(args.render_rounds)],
                             cwd=ROOT, env=env, check=True, capture_output=True, text=True)
        prep = json.loads(out.stdout.strip().splitlines()[-1])
        paths = prep["paths"]

        def bare(session, i):
            return session.get(f"{bare_url}/bare", timeout=10).status_code == 200

        def check(session, i):
            res = session.get(app_url + paths[i % len(paths)], timeout=10)
            return res.status_code == 200 and res.json()["status"] == "valid"

        with gunicorn(env, "bench.bare_app:app", args.workers, "/bare") as bare_url, \
                gunicorn(env, "wsgi:app", args.workers, "/healthz") as app_url:
            bares, checks = alternate(bare, check, "verify", args.concurrency, args.seconds, args.rounds)
    b = statistics.median(x["rps"] for x in bares)
    v = statistics.median(x["rps"] for x in checks)
    db = "PostgreSQL" if "postgres" in env["DATABASE_URL"] else "SQLite"
    print(f"\ncertificates bench ({db}; one core for issue/render; gunicorn {args.workers} workers, "
          f"{args.concurrency} clients, {args.rounds}×{args.seconds:g}s rounds)")
    print(f"issued: {prep['issued_per_s']:.1f}/s (a transaction per 100); the previous way, a commit each: "
          f"{prep['issued_before_per_s']:.1f}/s")
    for name, r in prep["renders"].items():
        rate = prep["issued_per_s"] if name == "current" else prep["issued_before_per_s"]
        per_cert = 1 / rate + 1 / r["png"] + 1 / r["pdf"]
        print(f"{name:>8} settings: PNG {r['png']:.2f}/s per core, PDF {r['pdf']:.2f}/s per core (medians of "
              f"{args.render_rounds} alternating rounds); 2,000 certificates issued and drawn in both formats "
              f"by 2 workers: {2000 * per_cert / 2 / 60:.1f} min (goal < 5 min)")
    old, new = prep["renders"]["baseline"], prep["renders"]["current"]
    print(f"current ÷ baseline: PNG {new['png'] / old['png']:.2f}×, PDF {new['pdf'] / old['pdf']:.2f}×")
    ratios = round_ratios(bares, checks)
    print(f"median bare Flask: {b:.1f} req/s   median verify: {v:.1f} checks/s   ratio of medians: {v / b:.2f}   "
          f"median of per-round ratios: {statistics.median(ratios):.2f} (rounds {', '.join(f'{r:.2f}' for r in ratios)}; "
          f"goal ≥ 0.5)")
    print(f"median verify p50 {statistics.median(x['p50_ms'] for x in checks):.1f} ms, "
          f"p99 {statistics.median(x['p99_ms'] for x in checks):.1f} ms")


if __name__ == "__main__":
    main()
