"""Online verification: the signature (codec, same as offline) and then the register —
the certificate must exist with exactly the signed snapshot and must not be revoked. What it
returns is what an honour roll shows (no phone number, no birth month)."""
from __future__ import annotations

import logging
import time
from datetime import date, datetime
from typing import NamedTuple

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import bindparam, select
from sqlalchemy.exc import DBAPIError

from ...extensions import db, redis_client
from ...models import Certificate, Season, SigningKey
from ...texts import lookup
from ...timeutil import to_china
from . import codec
from .keys import public_keys_document

log = logging.getLogger(__name__)


SYNC_EVERY = 8            # requests a process counts on its own before it adds them up in Redis


class _Window:
    __slots__ = ("window", "unsynced", "known")

    def __init__(self, window: int):
        self.window, self.unsynced, self.known = window, 0, 0


_counts: dict[str, _Window] = {}


def seconds_left(window: int = 60) -> int:
    """Seconds until the current rate-limit window ends (a refused client's Retry-After)."""
    return window - int(time.time()) % window


def allow(client: str, limit: int | None = None, window: int = 60) -> bool:
    """At most `limit` checks per client per minute, across every process. Each process counts
    locally and adds its count to the shared Redis counter every SYNC_EVERY requests of a client
    (or as soon as the client nears the limit), so an honest user's check costs no Redis round
    trip and a flood is refused after at most limit + processes × SYNC_EVERY requests. When Redis
    is away the shared count is skipped (verification must keep working)."""
    limit = limit or current_app.config["CERT_VERIFY_PER_MINUTE"]
    now = int(time.time()) // window
    key = client[:64]
    state = _counts.get(key)
    if state is None or state.window != now:
        if len(_counts) > 50_000:                 # forget old clients; their windows are over
            _counts.clear()
        state = _counts[key] = _Window(now)
    if state.known >= limit:
        return False                              # refused already this minute: no round trip
    state.unsynced += 1
    if state.unsynced >= SYNC_EVERY or state.known + state.unsynced >= limit - SYNC_EVERY:
        try:
            pipe = redis_client().pipeline(transaction=False)
            pipe.incrby(f"rl:verify:{key}:{now}", state.unsynced)
            pipe.expire(f"rl:verify:{key}:{now}", window + 1)
            state.known, state.unsynced = pipe.execute()[0], 0
        except RedisError as exc:
            log.info("verification rate limit shared count skipped, Redis unavailable: %s", exc)
            state.known, state.unsynced = state.known + state.unsynced, 0
        return state.known <= limit
    return state.known + state.unsynced <= limit


def _facts(cert: Certificate) -> dict:
    season = db.session.get(Season, cert.season_id)
    return {"serial": cert.serial, "holder": cert.holder_name, "title": cert.title, "award": cert.award,
            "award_label": lookup("certificate.awards")[cert.award],
            "season": {"id": season.id, "name": season.name, "year": season.year},
            "issued_on": cert.issued_on.isoformat()}


_ROW = (Certificate.serial, Certificate.payload, Certificate.holder_name, Certificate.title, Certificate.award,
        Certificate.issued_on, Certificate.revoked_at, Certificate.revoked_reason, Certificate.season_id,
        SigningKey.kid, Season.name.label("season_name"), Season.year.label("season_year"))
_keys_cache: dict = {}
# Signed URLs this process has verified against _keys_cache: (serial, d, kid, sig) → Result.
# A certificate is scanned again and again (its holder, employers, the honour roll), and the
# Ed25519 check with the payload's decoding was a third of a check's CPU; a result depends only
# on those four strings and the keys, so it is forgotten when the keys are read again. Only
# valid results are kept (a flood of forged URLs cannot fill it), at most MAX_REMEMBERED.
_valid_signatures: dict[tuple[str, str, str, str], codec.Result] = {}
MAX_REMEMBERED = 20_000


def _keys(kid: str) -> dict:
    """The published keys, kept per process: keys are only ever added (rotation adds one and
    dates the old one), so the copy is read again only when a token names a key it lacks."""
    if kid not in {k["kid"] for k in _keys_cache.get("keys", [])}:
        _keys_cache.clear()
        _keys_cache.update(public_keys_document())
        _valid_signatures.clear()
    return _keys_cache


def _signature(serial: str, d: str, kid: str, sig: str) -> codec.Result:
    """codec.check_signature against the published keys, remembered when valid."""
    keys = _keys(kid)
    remembered = _valid_signatures.get((serial, d, kid, sig))
    if remembered is not None:
        return remembered
    result = codec.check_signature(serial, d, kid, sig, keys)
    if result.status == "valid":
        if len(_valid_signatures) >= MAX_REMEMBERED:
            _valid_signatures.clear()
        _valid_signatures[(serial, d, kid, sig)] = result
    return result


_SELECT = (select(*_ROW).join(SigningKey, SigningKey.id == Certificate.key_id)
           .join(Season, Season.id == Certificate.season_id).where(Certificate.serial == bindparam("serial")))


class _Row(NamedTuple):
    serial: str
    payload: str
    holder_name: str
    title: str
    award: str
    issued_on: date
    revoked_at: datetime | None
    revoked_reason: str | None
    season_id: int
    kid: str
    season_name: str
    season_year: int


_SQLITE_SQL: dict = {}


def _row_sqlite(engine, serial: str) -> _Row | None:
    """SQLite: the statement compiled once, run on the pooled DB-API connection. pysqlite opens
    no transaction for a SELECT, so there is nothing to end, and nothing to switch (an
    AUTOCOMMIT connection costs a PRAGMA to switch back on its return to the pool); the row's
    two dates are parsed here instead of by SQLAlchemy's result machinery (a third of a check)."""
    sql = _SQLITE_SQL.get(engine.url)
    if sql is None:
        sql = _SQLITE_SQL[engine.url] = str(_SELECT.compile(dialect=engine.dialect))
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(sql, (serial,))
        values = cursor.fetchone()
        cursor.close()
    finally:
        raw.close()
    if values is None:
        return None
    row = _Row(*values)
    return row._replace(issued_on=date.fromisoformat(row.issued_on),
                        revoked_at=datetime.fromisoformat(row.revoked_at) if row.revoked_at else None)


_PG_SQL: dict = {}


def _row_postgresql(engine, serial: str) -> _Row | None:
    """PostgreSQL: one round trip and little else. The statement is compiled once per process
    and prepared once per pooled connection (psycopg then sends only Bind/Execute/Sync); it
    runs on the pooled DB-API connection with autocommit switched on for its duration (a
    client-side flag, no statement: no BEGIN before it, and nothing to roll back when the
    connection goes back to the pool). SQLAlchemy's own path (a Connection switched to
    AUTOCOMMIT and back, the execution context, the result object) took two thirds of
    `check`'s CPU time in the profile (README, 基准 / Benchmarks). Errors are raised as SQLAlchemy's
    (a lost connection answers 503 once, errors.py) and a lost connection takes the pool's
    idle ones with it, as SQLAlchemy does: after a restart they are all dead."""
    sql = _PG_SQL.get(engine.url)
    if sql is None:
        sql = _PG_SQL[engine.url] = str(_SELECT.compile(dialect=engine.dialect))
    dbapi = engine.dialect.loaded_dbapi
    raw = None
    try:
        raw = engine.raw_connection()       # the pool's connect errors come unwrapped from here
        conn = raw.driver_connection
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute(sql, {"serial": serial}, prepare=True)
            values = cursor.fetchone()
        conn.autocommit = False
    except dbapi.Error as exc:
        lost = engine.dialect.is_disconnect(exc, raw and raw.driver_connection, None)
        if raw is not None:
            # Whatever broke, this connection is not handed out again (it may still be in
            # autocommit); invalidating also returns it to the pool.
            raw.invalidate(exc)
        if lost:
            engine.dispose()
        raise DBAPIError.instance(sql, {"serial": serial}, exc, dbapi.Error, connection_invalidated=lost,
                                  dialect=engine.dialect) from exc
    except BaseException:
        if raw is not None:
            raw.invalidate()
        raise
    raw.close()
    return None if values is None else _Row(*values)


def _row(serial: str) -> _Row | None:
    engine = db.engine
    if engine.dialect.name == "sqlite":
        return _row_sqlite(engine, serial)
    if engine.dialect.name == "postgresql" and engine.dialect.driver == "psycopg":
        return _row_postgresql(engine, serial)
    # Any other database: one statement, so no BEGIN/ROLLBACK around it.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        return conn.execute(_SELECT, {"serial": serial}).first()


def _row_facts(row) -> dict:
    return {"serial": row.serial, "holder": row.holder_name, "title": row.title, "award": row.award,
            "award_label": lookup("certificate.awards")[row.award],
            "season": {"id": row.season_id, "name": row.season_name, "year": row.season_year},
            "issued_on": row.issued_on.isoformat()}


def _replacement(serial: str) -> str | None:
    """The serial of the certificate that replaced this one (a corrected name), if any."""
    replaced_by = select(Certificate.replaced_by_id).where(Certificate.serial == serial).scalar_subquery()
    return db.session.scalar(select(Certificate.serial).where(Certificate.id == replaced_by))


def check(serial: str, query: dict[str, list[str]] | None) -> dict:
    """{"serial", "status": valid|revoked|invalid, "reason"?, "certificate"?, "revoked"?}.
    With no signed query the register alone answers (a serial typed by hand); with one, the
    signature must verify and match the register. One query; never raises for bad input."""
    serial = (serial or "")[:40]
    out = {"serial": serial}
    if not codec.SERIAL_RE.match(serial):
        return dict(out, status="invalid", reason="unknown_serial")
    if query and any(k in query for k in ("d", "k", "sig")):
        try:
            d, kid, sig = codec.parse_query(query)
        except ValueError:
            return dict(out, status="invalid", reason="malformed_query")
        result = _signature(serial, d, kid, sig)
        if result.status != "valid":
            return dict(out, status="invalid", reason=result.reason)
        row = _row(serial)
        if row is None or row.payload != d or row.kid != kid:
            return dict(out, status="invalid", reason="not_in_register")
        out["signed"] = True
    else:
        row = _row(serial)
        if row is None:
            return dict(out, status="invalid", reason="unknown_serial")
    out["certificate"] = _row_facts(row)
    if row.revoked_at is not None:
        revoked = {"revoked_at": to_china(row.revoked_at).strftime("%Y-%m-%d %H:%M"), "reason": row.revoked_reason}
        replacement = _replacement(serial)
        if replacement:
            revoked["replaced_by"] = replacement
        return dict(out, status="revoked", reason="revoked", revoked=revoked)
    return dict(out, status="valid")


def issuers_of(result: dict) -> list[str]:
    """The issuing bodies' names for the page (the season's setting, or the demo default)."""
    if not result.get("certificate"):
        return []
    season = db.session.get(Season, result["certificate"]["season"]["id"])
    issuers = season.setting("certificate.issuers") or lookup("certificate.default_issuers")
    return [i["name"] for i in issuers]
