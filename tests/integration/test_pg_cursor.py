"""The PostgreSQL cursor that builds `description` lazily (server/db/pg_cursor.py) must describe
every result exactly as psycopg's own cursor does, and be the one the app's engine uses."""
from __future__ import annotations

import psycopg
import pytest

from server.extensions import db
from server.db.pg_cursor import LazyDescriptionCursor

QUERIES = [
    "SELECT 1 AS n, 'x'::varchar(20) AS s, now() AS t, '{\"a\": 1}'::json AS j, NULL::numeric(14, 2) AS m",
    "SELECT id, name, kind FROM organisations WHERE false",     # no rows, still described
    "SELECT",                                                    # tuples but no fields: []
    "SET LOCAL statement_timeout = 1000",                        # no result set: None
    "CREATE TEMP TABLE lazy_description_probe (x int)",
    "INSERT INTO lazy_description_probe VALUES (1), (2)",
    "INSERT INTO lazy_description_probe VALUES (3) RETURNING x, x * 2 AS double",
]


@pytest.fixture()
def pg_url(ctx):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL")
    return db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _describe(description):
    if description is None:
        return None
    return [(c.name, c.type_code, c.display_size, c.internal_size, c.precision, c.scale, c.null_ok)
            for c in description]


def test_the_app_engine_hands_out_lazy_description_cursors(pg_url):
    dbapi_connection = db.session.connection().connection.dbapi_connection
    assert isinstance(dbapi_connection.cursor(), LazyDescriptionCursor)


def test_every_result_is_described_as_psycopg_describes_it(pg_url):
    with psycopg.connect(pg_url) as plain, psycopg.connect(pg_url, cursor_factory=LazyDescriptionCursor) as lazy:
        for sql in QUERIES:
            expected = plain.execute(sql).description
            got = lazy.execute(sql).description
            assert _describe(got) == _describe(expected), sql
            if expected is not None:
                assert len(got) == len(expected)
                assert [c.name for c in got] == [c.name for c in expected]


def test_columns_cannot_be_read_once_the_cursor_ran_another_query(pg_url):
    with psycopg.connect(pg_url, cursor_factory=LazyDescriptionCursor) as conn:
        cur = conn.cursor()
        cur.execute("SELECT 1 AS first")
        description = cur.description
        cur.execute("SELECT 2 AS second")
        with pytest.raises(psycopg.InterfaceError):
            description[0]
        assert cur.description[0].name == "second"


def test_orm_queries_on_postgresql_still_map_their_columns(pg_url, seeded):
    # SQLAlchemy reads the description on a statement's first run to map the columns; the
    # second run uses its cached mapping. Both must give the same rows.
    from sqlalchemy import select
    from server.models import Organisation
    query = select(Organisation.id, Organisation.name).order_by(Organisation.id).limit(3)
    first = db.session.execute(query).all()
    second = db.session.execute(query).all()
    assert first == second and len(first) == 3 and all(isinstance(r.name, str) for r in first)
