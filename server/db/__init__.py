"""Database workarounds, each with why it exists and when to delete it:

- `pg_cursor.py`: psycopg 3.3.9 builds a Column object for every result column each time
  `cursor.description` is read; SQLAlchemy reads it after every SELECT. Delete it once the
  pinned psycopg includes the upstream fix (psycopg issue #446 / PR #1240, lazy description)
  and tests/integration/test_pg_cursor.py passes with the plain cursor.
- `row_writes.py`: a dialogue turn's two changed rows (conversation, draft) written as two
  hand-made UPDATEs with the ORM's own version check instead of the unit of work's flush
  (fewer instructions per PostgreSQL turn: README, 基准 / Benchmarks). Delete it if
  SQLAlchemy's flush gets cheaper for two dirty objects, or if the dialogue bench shows no gain without it.
- `bulk.py`: many new rows (a season's panel seats) copied in with COPY on PostgreSQL instead of
  an executemany of single-row INSERTs. Delete it if SQLAlchemy gains a COPY-backed bulk insert.
"""
