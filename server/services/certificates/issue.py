"""Issuing: one certificate per award, idempotent — issuing twice finds the first one (unique
(entry_id, kind, generation) for an entry's leader; (season, org, award, generation) for a unit's
award); each issue commits with an outbox event that tells the holder. The season's run is an RQ
job queued when results are released. A unit's awards (优胜单位, 优秀组织奖) are issued by the
awards code when it decides them: `issue_for_org_award`."""
from __future__ import annotations

import logging

from redis.exceptions import RedisError
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.exc import IntegrityError

from ...extensions import db, queue
from ...errors import NotFound, ValidationError
from ...models import Certificate, Entry, Organisation, Season
from ...timeutil import china_today, utcnow
from .. import outbox
from . import codec
from .keys import current_key, private_key

log = logging.getLogger(__name__)
KIND = "entry_award"


def serial_for(entry: Entry) -> str:
    return codec.make_serial(entry.season.year, entry.season_id, entry.id)


def _eligible(entry: Entry | None) -> bool:
    return entry is not None and entry.status == "decided" and entry.award in codec.ENTRY_AWARDS


def _latest(*where) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(*where).order_by(Certificate.generation.desc()).limit(1))


def _row(season: Season, key, *, serial: str, award: str, holder: str, title: str, **row) -> Certificate:
    """A new certificate row signed now with `key` (added to the session, not flushed)."""
    payload = codec.Payload(serial=serial, season_id=season.id, award=award, holder=holder[:50],
                            title=title, issued_on=china_today())
    d = payload.encode()
    cert = Certificate(serial=serial, season_id=season.id, holder_name=payload.holder, title=title[:200],
                       award=award, holder_kind=codec.holder_kind(award), issued_at=utcnow(),
                       issued_on=payload.issued_on, key_id=key.id, payload=d,
                       signature=codec.sign(private_key(key), key.kid, d), **row)
    db.session.add(cert)
    return cert


def _told(certs: list[Certificate]) -> None:
    """One certificate_issued event per new certificate (flushed, so it has its id)."""
    for cert in certs:
        outbox.emit("certificate_issued", dedupe_key=f"certificate_issued:{cert.id}", certificate_id=cert.id)


def signed(season: Season, *, serial: str, award: str, holder: str, title: str, **row) -> Certificate:
    """A new certificate row (added, flushed, its outbox event written; not committed): the
    payload signed now with the current key."""
    cert = _row(season, current_key(), serial=serial, award=award, holder=holder, title=title, **row)
    db.session.flush()
    _told([cert])
    return cert


def _commit_or_existing(cert: Certificate, *where) -> Certificate:
    try:
        db.session.commit()
    except IntegrityError:            # issued by another worker meanwhile: that one stands
        db.session.rollback()
        return _latest(*where)
    return cert


def _entry_row(entry: Entry, key) -> Certificate:
    holder = entry.leader
    holder_name = (holder.name if holder is not None else None) or entry.responsible_person or "—"
    return _row(entry.season, key, serial=serial_for(entry), award=entry.award, holder=holder_name,
                title=entry.title or "", kind=KIND, entry_id=entry.id,
                holder_person_id=holder.id if holder is not None else None,
                holder_user_id=(holder.user_id if holder is not None and holder.user_id else entry.created_by_id))


def issue_for_entry(entry_id: int) -> Certificate | None:
    """The entry's certificate, issued now unless it exists; None when it earns none."""
    where = (Certificate.entry_id == entry_id, Certificate.kind == KIND)
    existing = _latest(*where)
    if existing is not None:
        return existing
    entry = db.session.get(Entry, entry_id)
    if not _eligible(entry):
        return None
    cert = _entry_row(entry, current_key())
    db.session.flush()
    _told([cert])
    return _commit_or_existing(cert, *where)


ISSUE_BATCH = 100         # certificates per transaction in a season's run


def _issue_batch(entry_ids: list[int]) -> list[int]:
    """Issue the missing certificates of these entries in one transaction (one commit instead
    of one per certificate: each commit expires and reloads the session's objects); when
    another worker issued some meanwhile, the batch falls back to one at a time."""
    latest = {}
    for cert in db.session.scalars(select(Certificate).where(Certificate.entry_id.in_(entry_ids),
                                                             Certificate.kind == KIND).order_by(Certificate.generation)):
        latest[cert.entry_id] = cert.id                    # the last generation wins
    missing = [i for i in entry_ids if i not in latest]
    if missing:
        key = current_key()
        entries = db.session.scalars(select(Entry).where(Entry.id.in_(missing))
                                     .options(selectinload(Entry.leader)).order_by(Entry.id)).all()
        made = [_entry_row(entry, key) for entry in entries if _eligible(entry)]
        try:
            db.session.flush()
            _told(made)
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            return [c.id for c in (issue_for_entry(i) for i in entry_ids) if c is not None]
        latest.update({c.entry_id: c.id for c in made})
    return [latest[i] for i in entry_ids if i in latest]


ORG_KIND = "org_award"


def org_serial(season: Season, org_id: int, award: str, generation: int = 0) -> str:
    return codec.make_serial(season.year, season.id, org_id, codec.ORG_SERIAL_LETTER[award], generation)


def issue_for_org_award(season_id: int, org_id: int, award: str, *, notify_user_id: int | None = None) -> Certificate:
    """The certificate of a unit's award — award "winning_unit" (优胜单位) or "organisation"
    (优秀组织奖) — for the organisation `org_id` in the season: issued now unless it exists
    (idempotent: call it again and get the same certificate). The holder is the unit (its name
    as registered now); `notify_user_id` is the account told and allowed to download (e.g. the
    unit's admin). Commits. The awards code calls this when it has decided the award; drawing
    the files happens on first download or in the archive job."""
    if award not in codec.ORG_AWARDS:
        raise ValidationError("certificate.errors.org_award", code="bad_org_award", award=str(award)[:20])
    season, org = db.session.get(Season, season_id), db.session.get(Organisation, org_id)
    if season is None:
        raise NotFound("certificate.errors.season_not_found", code="season_not_found")
    if org is None:
        raise NotFound("certificate.errors.org_not_found", code="org_not_found")
    where = (Certificate.season_id == season_id, Certificate.holder_org_id == org_id, Certificate.award == award)
    existing = _latest(*where)
    if existing is not None:
        return existing
    cert = signed(season, serial=org_serial(season, org_id, award), award=award, holder=org.name, title="",
                  kind=ORG_KIND, holder_org_id=org_id, holder_user_id=notify_user_id)
    cert = _commit_or_existing(cert, *where)
    outbox.relay_soon()
    return cert


def awarded_entry_ids(season_id: int) -> list[int]:
    return list(db.session.scalars(select(Entry.id).where(
        Entry.season_id == season_id, Entry.status == "decided", Entry.award.in_(codec.ENTRY_AWARDS))
        .order_by(Entry.id)))


RENDER_BATCH = 25         # certificates per render job: two workers share a season's drawing


def issue_for_season(season_id: int) -> int:
    """Issue every award of the season not yet issued, then queue the drawing of their files
    in batches; returns how many certificates the season has."""
    ids, entry_ids = [], awarded_entry_ids(season_id)
    for i in range(0, len(entry_ids), ISSUE_BATCH):
        ids += _issue_batch(entry_ids[i:i + ISSUE_BATCH])
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
