"""All of a season's valid certificates as one .zip (PDF and PNG of each, and a list), built by
an RQ job with its progress in the job's meta, the archive written to disk member by member
(never held in memory) under instance/archives/.

Idempotent: the job's id names the season and a fingerprint of what the archive holds (every
valid certificate's serial), so asking twice while it runs, or after it is done, gives the same
job and the same file; a revocation or a new certificate makes a new fingerprint, a new job."""
from __future__ import annotations

import csv
import hashlib
import io
import os
import zipfile
from pathlib import Path

from rq.exceptions import NoSuchJobError
from rq.job import Job
from sqlalchemy import select

from ...config import INSTANCE_DIR
from ...errors import NotFound
from ...extensions import db, queue, redis_client
from ...models import Certificate, Season, User
from ...texts import lookup
from .. import policy
from . import render

PROGRESS_EVERY = 5          # certificates between two progress writes


def _season(season_id: int) -> Season:
    season = db.session.get(Season, season_id)
    if season is None:
        raise NotFound("certificate.errors.season_not_found", code="season_not_found")
    return season


def _valid(season_id: int) -> list[Certificate]:
    return list(db.session.scalars(select(Certificate).where(
        Certificate.season_id == season_id, Certificate.revoked_at.is_(None)).order_by(Certificate.id)))


def _serials(season_id: int) -> list[str]:
    """The valid certificates' serials (one column: the page polls this every second)."""
    return list(db.session.scalars(select(Certificate.serial).where(
        Certificate.season_id == season_id, Certificate.revoked_at.is_(None)).order_by(Certificate.id)))


def _job_id(season_id: int, serials: list[str]) -> str:
    return f"cert-archive-{season_id}-{hashlib.sha256(','.join(serials).encode()).hexdigest()[:12]}"


def job_id_for(season_id: int) -> str:
    return _job_id(season_id, _serials(season_id))


def path_for(job_id: str) -> Path:
    return INSTANCE_DIR / "archives" / f"{job_id}.zip"


def _fetch(job_id: str) -> Job | None:
    try:
        return Job.fetch(job_id, connection=redis_client())
    except NoSuchJobError:
        return None


def start(actor: User, season_id: int) -> dict:
    """Queue the season's archive unless it is queued, running or built already."""
    policy.require(actor, "certificate.manage")
    _season(season_id)
    job_id = job_id_for(season_id)
    job = _fetch(job_id)
    status = str(getattr(job.get_status(), "value", job.get_status())) if job is not None else None
    if not path_for(job_id).exists() and status not in ("queued", "started", "deferred", "scheduled"):
        if job is not None:
            job.delete()                 # failed or expired: run it again under the same id
        queue("low").enqueue("workers.certificates.build_archive", season_id, job_id, job_id=job_id,
                             job_timeout=3600, result_ttl=86400, failure_ttl=86400)
    return state(actor, season_id)


def state(actor: User, season_id: int) -> dict:
    """{"job_id", "status": none|queued|started|finished|failed, "done", "total", "ready"}."""
    policy.require(actor, "certificate.manage")
    _season(season_id)
    serials = _serials(season_id)
    job_id = _job_id(season_id, serials)
    ready = path_for(job_id).exists()
    job = _fetch(job_id)
    if job is None:
        status, meta = ("finished" if ready else "none"), {}
    else:
        status, meta = str(getattr(job.get_status(refresh=True), "value", job.get_status())), job.get_meta(refresh=True)
    total = meta.get("total", len(serials))
    done = total if ready else meta.get("done", 0)
    return {"job_id": job_id, "status": "finished" if ready else status, "done": done, "total": total, "ready": ready}


def file_for(actor: User, season_id: int) -> Path:
    info = state(actor, season_id)
    if not info["ready"]:
        raise NotFound("certificate.errors.archive_not_ready", code="archive_not_ready")
    return path_for(info["job_id"])


def build(season_id: int, job_id: str, progress=lambda done, total: None) -> str:
    """The job's work: write every valid certificate's PDF and PNG into the zip on disk, one
    member at a time (files drawn now if not drawn yet), then a CSV list; atomic rename at the end."""
    path = path_for(job_id)
    if path.exists():
        return str(path)
    certs = _valid(season_id)
    labels = lookup("certificate.awards")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    listing = io.StringIO()
    writer = csv.writer(listing)
    writer.writerow(lookup("certificate.archive_columns"))
    progress(0, len(certs))
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as zf:
        for i, cert in enumerate(certs, 1):
            for fmt in render.RENDERERS:
                render.stored(cert, fmt)               # draws and keeps it unless drawn already
                zf.write(render.stored_path(cert.serial, fmt), f"{cert.serial}.{fmt}")   # copied in chunks
            writer.writerow([cert.serial, labels[cert.award], cert.holder_name, cert.title,
                             cert.issued_on.isoformat()])
            if i % PROGRESS_EVERY == 0 or i == len(certs):
                progress(i, len(certs))
        zf.writestr("list.csv", "\ufeff" + listing.getvalue(), compress_type=zipfile.ZIP_DEFLATED)
    os.replace(tmp, path)
    return str(path)
