"""Online verification: the signature (codec, same as offline) and then the register —
the certificate must exist with exactly the signed snapshot and must not be revoked. What it
returns is what an honour roll shows (no phone number, no birth month)."""
from __future__ import annotations

import logging
import time

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import select

from ...extensions import db, redis_client
from ...models import Certificate, Season
from ...texts import lookup
from ...timeutil import to_china
from . import codec
from .keys import public_keys_document

log = logging.getLogger(__name__)


def allow(client: str, limit: int | None = None, window: int = 60) -> bool:
    """A fixed-window counter per client in Redis: one pipelined round trip, so honest users
    pay nothing noticeable; when Redis is away the check is skipped (verification must work)."""
    limit = limit or current_app.config.get("CERT_VERIFY_PER_MINUTE", 60)
    key = f"rl:verify:{client[:64]}:{int(time.time()) // window}"
    try:
        pipe = redis_client().pipeline(transaction=False)
        pipe.incr(key)
        pipe.expire(key, window + 1)
        count = pipe.execute()[0]
    except RedisError as exc:
        log.info("verification rate limit skipped, Redis unavailable: %s", exc)
        return True
    return count <= limit


def _facts(cert: Certificate) -> dict:
    season = db.session.get(Season, cert.season_id)
    return {"serial": cert.serial, "holder": cert.holder_name, "title": cert.title, "award": cert.award,
            "award_label": lookup("certificate.awards")[cert.award],
            "season": {"id": season.id, "name": season.name, "year": season.year},
            "issued_on": cert.issued_on.isoformat()}


def _revoked(cert: Certificate) -> dict:
    return {"revoked_at": to_china(cert.revoked_at).strftime("%Y-%m-%d %H:%M"),
            "reason": cert.revoked_reason}


def check(serial: str, query: dict[str, list[str]] | None) -> dict:
    """{"serial", "status": valid|revoked|invalid, "reason"?, "certificate"?, "revoked"?}.
    With no signed query the register alone answers (a serial typed by hand); with one, the
    signature must verify and match the register. Never raises for bad input."""
    serial = (serial or "")[:40]
    out = {"serial": serial}
    if not codec.SERIAL_RE.match(serial):
        return dict(out, status="invalid", reason="unknown_serial")
    if query and any(k in query for k in ("d", "k", "sig")):
        try:
            d, kid, sig = codec.parse_query(query)
        except ValueError:
            return dict(out, status="invalid", reason="malformed_query")
        result = codec.check_signature(serial, d, kid, sig, public_keys_document())
        if result.status != "valid":
            return dict(out, status="invalid", reason=result.reason)
        cert = db.session.scalar(select(Certificate).where(Certificate.serial == serial))
        if cert is None or cert.payload != d or cert.key.kid != kid:
            return dict(out, status="invalid", reason="not_in_register")
    else:
        cert = db.session.scalar(select(Certificate).where(Certificate.serial == serial))
        if cert is None:
            return dict(out, status="invalid", reason="unknown_serial")
    out["certificate"] = _facts(cert)
    if cert.revoked_at is not None:
        return dict(out, status="revoked", reason="revoked", revoked=_revoked(cert))
    return dict(out, status="valid")


def issuers_of(result: dict) -> list[str]:
    """The issuing bodies' names for the page (the season's setting, or the demo default)."""
    if not result.get("certificate"):
        return []
    season = db.session.get(Season, result["certificate"]["season"]["id"])
    issuers = season.setting("certificate.issuers") or lookup("certificate.default_issuers")
    return [i["name"] for i in issuers]
