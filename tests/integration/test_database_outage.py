"""A dropped database connection answers 503 in the envelope (never 500) and the next request
works: the pool replaces dead connections (PostgreSQL only: SQLite has no server to lose)."""
from __future__ import annotations

import psycopg
import pytest

from server.extensions import db

from ..helpers import auth_header, login


def test_killed_connections_give_one_503_then_recover(client, seeded):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs a database server")
    headers = auth_header(login(client, "demo-participant")["token"])
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE datname = current_database() AND pid <> pg_backend_pid()")
    statuses = []
    for _ in range(3):
        res = client.get("/api/v1/me", headers=headers)
        statuses.append(res.status_code)
        if res.status_code == 503:
            assert res.get_json()["error"]["code"] == "database_unavailable"
    assert statuses[0] == 503, statuses          # the dead connection was found, not hidden
    assert 500 not in statuses and statuses[-1] == 200, statuses
    # Every connection of the database was killed, the idle ones in other pools too: the RQ
    # jobs' own app (workers/app_context, one per process) keeps a pool of its own, and a later
    # test's job met a dead connection there (AdminShutdown). Start the rest with fresh pools.
    db.engine.dispose()
    from workers import app_context
    if app_context._app is not None:
        with app_context._app.app_context():
            db.engine.dispose()
