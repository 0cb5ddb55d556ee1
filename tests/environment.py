"""The database and Redis a test process uses. Under pytest-xdist (scripts/test.sh runs the
suite in two processes) each process gets its own: every integration test empties the tables
and flushes the Redis db it starts with, so two processes must never share them. With SQLite
and the embedded Redis each process already has its own files (conftest's temporary dir)."""
from __future__ import annotations

import json
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy.engine import make_url

GIVEN = "WUXIAO_TESTS_GIVEN"
KEYS = ("DATABASE_URL", "REDIS_URL")


def as_given(environ) -> None:
    """Put DATABASE_URL and REDIS_URL back as the caller of pytest gave them. The first process
    (pytest itself, or xdist's controller) notes them before conftest fills them in; xdist's
    workers inherit the controller's filled-in environment — its SQLite file and embedded
    Redis — and must start from the caller's values to make their own."""
    if GIVEN in environ:
        for key, value in json.loads(environ[GIVEN]).items():
            if value is None:
                environ.pop(key, None)
            else:
                environ[key] = value
    else:
        environ[GIVEN] = json.dumps({key: environ.get(key) for key in KEYS})


def worker_number(worker: str) -> int:
    """0 for pytest-xdist's "gw0" (and for a run without xdist: ""), 1 for "gw1", …"""
    return int(worker[2:]) if worker.startswith("gw") and worker[2:].isdigit() else 0


def postgresql_url(url: str, worker: str) -> str:
    """The URL of this worker's own database beside the given one (created when missing):
    test → test_gw1. Worker gw0 and a run without xdist keep the given database. Commits do
    not wait for the WAL flush: a test database is thrown away (what a commit means to the
    other sessions is unchanged), and every process of the run — gunicorn, RQ workers —
    reads this URL."""
    parsed = make_url(url)
    if worker_number(worker):
        import psycopg
        name = f"{parsed.database}_{worker}"
        plain = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(plain, autocommit=True) as conn:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
                conn.execute(f'CREATE DATABASE "{name}"')
        parsed = parsed.set(database=name)
    if "options" not in parsed.query:
        parsed = parsed.update_query_dict({"options": "-csynchronous_commit=off"})
    return parsed.render_as_string(hide_password=False)


def redis_url(url: str, worker: str) -> str:
    """This worker's Redis db on a Redis server (redis://host:port/N): db N for gw0, the ones
    below it (wrapping from 0 to 15) for the others."""
    n = worker_number(worker)
    if not n or not url.startswith(("redis://", "rediss://")):
        return url
    parts = urlsplit(url)
    path = parts.path.strip("/")
    first = int(path) if path.isdigit() else 0
    return urlunsplit(parts._replace(path=f"/{(first - n) % 16}"))
