"""The one migration upgrades and downgrades on the configured database (SQLite by default,
PostgreSQL in CI's second run), and matches the models exactly."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from server.extensions import db

TABLES = {"seasons", "organisations", "users", "role_assignments", "auth_sessions", "persons",
          "entries", "attachments", "audit_events", "conversations", "certificates", "signing_keys"}


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_down_and_up_again(ctx):
    assert TABLES <= _tables()
    downgrade(revision="base")
    assert _tables() == set()
    upgrade()
    assert TABLES <= _tables()


def test_migration_matches_the_models(ctx):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
    assert diff == []
