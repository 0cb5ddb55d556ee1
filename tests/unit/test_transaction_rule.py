"""The transaction rule: services commit; views, the CLI and jobs never touch the session.

Entrypoints (server/api, server/web, server/wechat/callback.py, server/cli.py, workers/) parse
input, call one service function and shape the output; reading, adding, flushing, committing and
rolling back belong to the service they call. This test reads their source for `db.session`."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENTRYPOINTS = ["server/api", "server/web", "server/wechat/callback.py", "server/cli.py", "workers",
               "server/errors.py"]
USE = re.compile(r"\bdb\.session\b")

# (file, the line's code) -> why it is allowed
ALLOWED = {
    ("server/errors.py", "db.session.rollback()"):
        "the database-outage handler: the failed request's transaction is dead, and the "
        "connection goes back to the pool clean; no data decision is made here",
    ("server/errors.py", "db.session.invalidate()"):
        "the same handler when the rollback itself fails (the session held the connection that "
        "died): its connections are dropped so the pool opens new ones; no data decision",
    ("server/errors.py", "db.session.remove()"):
        "the last resort of that handler, if even invalidating raised: the session is discarded",
    ("workers/app_context.py", "db.session.remove()"):
        "a job's app context ends its session, as Flask's teardown does for a request",
}


def _files():
    for name in ENTRYPOINTS:
        path = ROOT / name
        yield from sorted(path.rglob("*.py")) if path.is_dir() else [path]


def test_entrypoints_leave_the_session_to_the_services():
    found = []
    for path in _files():
        rel = path.relative_to(ROOT).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0].strip()
            if USE.search(code) and (rel, code) not in ALLOWED:
                found.append(f"{rel}:{number}: {code}")
    assert not found, ("views, the CLI and jobs never touch the session; call a service function "
                       "that does (and commits):\n" + "\n".join(found))


def test_the_allow_list_is_not_stale():
    for rel, code in ALLOWED:
        assert code in (ROOT / rel).read_text(encoding="utf-8"), f"{rel} no longer has {code}: drop it from ALLOWED"
