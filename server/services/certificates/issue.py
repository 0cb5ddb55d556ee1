"""Issuing: one certificate per award (the entry's leader), idempotent — issuing twice finds
the first one (unique (entry_id, kind)); each issue commits with an outbox event that tells the
holder. The season's run is an RQ job queued when results are released."""
from __future__ import annotations

import logging

from redis.exceptions import RedisError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ...extensions import db, queue
from ...models import Certificate, Entry
from ...timeutil import china_today, utcnow
from .. import outbox
from . import codec
from .keys import current_key, private_key

log = logging.getLogger(__name__)
KIND = "entry_award"


def serial_for(entry: Entry) -> str:
    return codec.make_serial(entry.season.year, entry.season_id, entry.id)


def _eligible(entry: Entry | None) -> bool:
    return entry is not None and entry.status == "decided" and entry.award in codec.AWARDS


def issue_for_entry(entry_id: int) -> Certificate | None:
    """The entry's certificate, issued now unless it exists; None when it earns none."""
    existing = db.session.scalar(select(Certificate).where(Certificate.entry_id == entry_id,
                                                           Certificate.kind == KIND))
    if existing is not None:
        return existing
    entry = db.session.get(Entry, entry_id)
    if not _eligible(entry):
        return None
    key = current_key()
    holder = entry.leader
    holder_name = (holder.name if holder is not None else None) or entry.responsible_person or "—"
    payload = codec.Payload(serial=serial_for(entry), season_id=entry.season_id, award=entry.award,
                            holder=holder_name[:50], title=entry.title or "", issued_on=china_today())
    d = payload.encode()
    cert = Certificate(serial=payload.serial, kind=KIND, season_id=entry.season_id, entry_id=entry.id,
                       holder_person_id=holder.id if holder is not None else None,
                       holder_user_id=(holder.user_id if holder is not None and holder.user_id else entry.created_by_id),
                       holder_name=payload.holder, title=(entry.title or "")[:200], award=entry.award,
                       issued_at=utcnow(), issued_on=payload.issued_on, key_id=key.id, payload=d,
                       signature=codec.sign(private_key(key), key.kid, d))
    db.session.add(cert)
    db.session.flush()
    outbox.emit("certificate_issued", dedupe_key=f"certificate_issued:{cert.id}", certificate_id=cert.id)
    try:
        db.session.commit()
    except IntegrityError:            # issued by another worker meanwhile: that one stands
        db.session.rollback()
        return db.session.scalar(select(Certificate).where(Certificate.entry_id == entry_id,
                                                           Certificate.kind == KIND))
    return cert


def awarded_entry_ids(season_id: int) -> list[int]:
    return list(db.session.scalars(select(Entry.id).where(
        Entry.season_id == season_id, Entry.status == "decided", Entry.award.in_(codec.AWARDS))
        .order_by(Entry.id)))


RENDER_BATCH = 25         # certificates per render job: two workers share a season's drawing


def issue_for_season(season_id: int) -> int:
    """Issue every award of the season not yet issued, then queue the drawing of their files
    in batches; returns how many certificates the season has."""
    ids = []
    for entry_id in awarded_entry_ids(season_id):
        cert = issue_for_entry(entry_id)
        if cert is not None:
            ids.append(cert.id)
    outbox.relay_soon()
    try:
        for i in range(0, len(ids), RENDER_BATCH):
            queue("low").enqueue("workers.certificates.render_files", ids[i:i + RENDER_BATCH],
                                 job_timeout=900, result_ttl=3600)
    except RedisError as exc:       # the files are drawn on first download instead
        log.warning("certificate renders not queued: %s", exc)
    return len(ids)


def enqueue_season(season_id: int) -> None:
    """Queue the season's issuing job (called by the results_released handler, after commit)."""
    try:
        queue("low").enqueue("workers.certificates.issue_season", season_id,
                             job_timeout=1800, result_ttl=86400)
    except RedisError as exc:           # the event stays unhandled: RQ retries its job
        from ...errors import RetryLater
        raise RetryLater(f"certificates for season {season_id} not queued: {exc}") from exc


def url_for(cert: Certificate, base_url: str) -> str:
    return f"{base_url.rstrip('/')}/verify/{cert.serial}?" + codec.query_string(cert.payload, cert.key.kid,
                                                                                 cert.signature)
