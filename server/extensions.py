"""Extensions are created unbound and attached in create_app (init_app style)."""
from __future__ import annotations

from flask import Flask, current_app
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from redis import Redis
from rq import Queue
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names so the Alembic migration is the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)

QUEUE_NAMES = ("high", "default", "low")


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_conn, _record):
    # SQLite needs these for concurrent gunicorn workers and for foreign keys to mean anything.
    if type(dbapi_conn).__module__.startswith("sqlite3"):
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()


def redis_client(app: Flask | None = None) -> Redis:
    """The app's Redis connection, made on first use so that commands which never touch
    Redis (migrations, seeding) do not start the embedded server."""
    app = app or current_app
    client = app.extensions.get("redis")
    if client is None:
        url = app.config["REDIS_URL"]
        if not url:
            from .devstack.embedded_redis import ensure_embedded_redis
            url = app.config["REDIS_URL"] = ensure_embedded_redis()
        client = app.extensions["redis"] = Redis.from_url(
            url, socket_timeout=5, socket_connect_timeout=3)
    return client


def queue(name: str = "default") -> Queue:
    return Queue(name, connection=redis_client())
