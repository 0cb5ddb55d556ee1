"""A psycopg cursor whose `description` is built only when someone reads it.

psycopg 3.3 builds a `Column` object for every column of the result each time
`cursor.description` is read (psycopg issue #446 and PR #1240; not in a release as of 3.3.9).
SQLAlchemy reads it after every SELECT only to learn that rows came back: once a statement has
run, its result metadata is cached on the compiled statement and the columns are never looked
at. A dialogue turn selects dozens of columns; building them was a measurable share of the
instructions the web process spends on a turn on PostgreSQL (callgrind figures in the README,
基准 / Benchmarks).

`description` here answers None exactly when psycopg does, and otherwise a sequence whose
length is known at once and whose items are psycopg's own `Column`s, built on first access.
Installed through psycopg's documented `cursor_factory` connection argument (config.py)."""
from __future__ import annotations

from collections.abc import Sequence

import psycopg
from psycopg import pq

_ROWS = (pq.ExecStatus.TUPLES_OK, pq.ExecStatus.SINGLE_TUPLE, pq.ExecStatus.TUPLES_CHUNK)


class LazyDescriptionCursor(psycopg.Cursor):
    @property
    def description(self):
        result = self.pgresult
        # The same test as psycopg's own property (a result with fields, or one that said
        # it returned tuples even with none, e.g. "SELECT ;").
        if result is None or not (result.nfields or result.status in _ROWS):
            return None
        return _Description(self, result)


class _Description(Sequence):
    __slots__ = ("_cursor", "_result", "_columns")

    def __init__(self, cursor: LazyDescriptionCursor, result: pq.abc.PGresult):
        self._cursor, self._result, self._columns = cursor, result, None

    def __len__(self) -> int:
        return self._result.nfields

    def __getitem__(self, index):
        if self._columns is None:
            if self._cursor.pgresult is not self._result:
                # psycopg's columns read the cursor's current result: refuse rather than
                # describe a different query.
                raise psycopg.InterfaceError("cursor.description read after the cursor ran another query")
            self._columns = psycopg.Cursor.description.fget(self._cursor)
        return self._columns[index]

    def __repr__(self) -> str:
        return repr(list(self))
