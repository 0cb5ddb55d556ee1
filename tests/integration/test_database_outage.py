"""A dropped database connection answers 503 in the envelope (never 500) and the next request
works: the pool replaces dead connections (PostgreSQL only: SQLite has no server to lose)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from server.extensions import db

from ..helpers import auth_header, fresh_pools, kill_database_connections, login


def test_killed_connections_give_one_503_then_recover(client, seeded):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs a database server")
    headers = auth_header(login(client, "demo-participant")["token"])
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    kill_database_connections()
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
    fresh_pools()


def test_a_request_whose_session_already_held_the_dead_connection_gets_503(client, seeded):
    """The session had a transaction open on the connection that died (here the test's own
    session, which the client's requests share; in production a request that read before the
    connection died): rolling it back fails too, and that must not turn the 503 into a 500."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs a database server")
    headers = auth_header(login(client, "demo-participant")["token"])
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    db.session.execute(select(1))                 # a transaction open on a pooled connection
    kill_database_connections()
    statuses = [client.get("/api/v1/me", headers=headers).status_code for _ in range(3)]
    assert statuses[0] == 503 and 500 not in statuses and statuses[-1] == 200, statuses
    fresh_pools()


def test_a_failing_rollback_after_a_database_error_still_answers_503(client, seeded, monkeypatch):
    """Both databases: the handler's rollback itself raising (its connection was the dead one)
    is absorbed — the client still gets the 503 envelope, and the next request works."""
    from sqlalchemy.exc import OperationalError

    headers = auth_header(login(client, "demo-participant")["token"])

    def dead(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))

    def failing_rollback():
        raise OperationalError("ROLLBACK", {}, Exception("server closed the connection unexpectedly"))

    with monkeypatch.context() as m:
        m.setattr(db.session, "rollback", failing_rollback)
        for name in ("get", "execute", "scalar", "scalars"):     # the request's first read fails
            m.setattr(db.session, name, dead)
        res = client.get("/api/v1/me", headers=headers)
    assert res.status_code == 503, res.get_data(as_text=True)
    assert res.get_json()["error"]["code"] == "database_unavailable"
    assert client.get("/api/v1/me", headers=headers).status_code == 200
