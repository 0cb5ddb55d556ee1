"""Insert many new rows at once (panel assignment writes 50,000 seats for a city season).

Through SQLAlchemy an INSERT executemany sends one statement per row (psycopg's pipeline still
round-trips and adapts each), and a multi-row VALUES statement spends far longer compiling than
the database spends inserting. On PostgreSQL this copies the rows in with COPY … FROM STDIN in
the session's own transaction (bench/scoring.py: about 4 s → well under the executemany's 7 s
for 50,000 seats on the loaded shared machine); elsewhere (SQLite) it is the plain executemany.
JSON columns are written as JSON text. Delete it if SQLAlchemy gains a COPY-backed bulk insert.

    insert_rows(session, table, rows)      rows: dicts with the same keys (column names)
"""
from __future__ import annotations

import json

from sqlalchemy import JSON, Table, insert
from sqlalchemy.orm import Session


def insert_rows(session: Session, table: Table, rows: list[dict]) -> None:
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        session.execute(insert(table), rows)
        return
    columns = list(rows[0])
    as_json = [isinstance(table.c[name].type, JSON) for name in columns]
    quoted = ", ".join(connection.dialect.identifier_preparer.quote(name) for name in columns)
    driver = connection.connection.driver_connection
    with driver.cursor() as cursor:
        with cursor.copy(f"COPY {table.name} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([json.dumps(row[name]) if is_json and row[name] is not None else row[name]
                                for name, is_json in zip(columns, as_json)])
