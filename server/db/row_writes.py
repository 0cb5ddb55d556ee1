"""Write a few changed rows without the ORM's unit of work.

A dialogue turn usually changes two rows, the conversation and its draft, and nothing else.
For those two UPDATEs the unit of work spends more CPU sorting, diffing and bookkeeping than
the statements cost (bench/dialogue.py; figures in the README, 基准 / Benchmarks). Here each
such row gets one UPDATE of exactly the columns the ORM recorded as changed, with the same
optimistic version check the ORM makes (`WHERE id = … AND version = …`, StaleDataError when
no row matched), and the object is then expired, so the commit has nothing left to flush and
a later read sees the row as written.

Anything else in the session (a new row, a deletion, a changed relationship or collection, a
third changed object) returns False before writing anything: the caller's commit then flushes
everything through the ORM as usual."""
from __future__ import annotations

from sqlalchemy import Table, bindparam, inspect
from sqlalchemy.orm import ColumnProperty, Session
from sqlalchemy.orm.exc import StaleDataError

_PK, _VERSION = "_row_pk", "_row_version"
_statements: dict[Table, object] = {}


def _update_statement(table: Table, pk, version):
    # One statement per table: the SET clause comes from each call's parameter names, and
    # SQLAlchemy caches the compiled form per set of names (building the statement per call
    # would cost a cache-key computation every turn).
    stmt = _statements.get(table)
    if stmt is None:
        stmt = _statements[table] = table.update().where(pk == bindparam(_PK), version == bindparam(_VERSION))
    return stmt


def _changes(state) -> dict | None:
    """Column values to write for one changed object, or None when the ORM must do it."""
    mapper = state.mapper
    if mapper.version_id_col is None or len(mapper.primary_key) != 1 or len(mapper.tables) != 1:
        return None
    values = {}
    for key in state.committed_state:
        prop = mapper.attrs.get(key)
        if not isinstance(prop, ColumnProperty) or len(prop.columns) != 1:
            return None
        column = prop.columns[0]
        if column is mapper.version_id_col or column.primary_key:
            return None
        values[column.key] = state.dict.get(key)
    return values


def write_changed_rows(session: Session, objects) -> bool:
    """UPDATE the changed ones of `objects` by hand when nothing else in the session changed;
    True when done (the session is then clean), False when the ORM's flush should do it."""
    if session.new or session.deleted:
        return False
    candidates = {id(o): o for o in objects if o is not None}
    dirty = list(session.dirty)
    if any(id(o) not in candidates for o in dirty):
        return False
    planned = []
    for obj in dirty:
        state = inspect(obj)
        if not state.persistent:
            return False
        values = _changes(state)
        if values is None:
            return False
        version = state.dict.get(state.mapper.get_property_by_column(state.mapper.version_id_col).key)
        if version is None:          # expired or never loaded: let the ORM fetch and check it
            return False
        if values:                   # flagged but nothing recorded: no UPDATE, as the ORM would
            planned.append((obj, state, values, version))
    for obj, state, values, version in planned:
        mapper = state.mapper
        version_col, pk_col = mapper.version_id_col, mapper.primary_key[0]
        values[version_col.key] = version + 1
        values[_PK], values[_VERSION] = state.identity[0], version
        stmt = _update_statement(mapper.local_table, pk_col, version_col)
        if session.connection().execute(stmt, values).rowcount != 1:
            raise StaleDataError(f"{mapper.class_.__name__} {state.identity[0]} was changed "
                                 f"by someone else (expected version {version})")
        session.expire(obj)
    return True
