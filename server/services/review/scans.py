"""The stamped 附件2 (issue 15 item 8): the office prints the sheet, stamps it (推荐单位盖章) and
uploads the scan (an image or PDF, checked by content), kept with that level's recommendation
for the season. Offices that may have the sheet (policy review.sheet) may upload and read it."""
from __future__ import annotations

from sqlalchemy import select

from ...config import INSTANCE_DIR
from ...errors import NotFound
from ...extensions import db
from ...models import Attachment, Organisation, Recommendation, User
from .. import policy
from ..attachments import keep_file
from ..audit import record
from ..seasons import get_season
from .sheet import level_for


def _org(user: User, org_id: int) -> Organisation:
    org = db.session.get(Organisation, org_id)
    if org is None:
        raise NotFound("errors.org_not_found", code="org_not_found", org_id=org_id)
    policy.require(user, "review.sheet", org)
    return org


def upload(user: User, org_id: int, season_id: int, level: str | None, content: bytes, filename: str) -> Recommendation:
    org = _org(user, org_id)
    season = get_season(season_id)
    level = level_for(org, level)
    scan = keep_file(user, content, filename, "certificate")
    db.session.flush()
    rec = db.session.scalar(select(Recommendation).where(
        Recommendation.season_id == season.id, Recommendation.org_id == org.id, Recommendation.level == level))
    before = rec.scan_id if rec is not None else None
    if rec is None:
        rec = Recommendation(season_id=season.id, org_id=org.id, level=level, scan_id=scan.id)
        db.session.add(rec)
    rec.scan_id, rec.uploaded_by_id = scan.id, user.id
    db.session.flush()
    record(user, "recommendation_scan_uploaded", "recommendation", rec.id,
           data={"org_id": org.id, "season_id": season.id, "level": level, "scan": scan.id, "replaced": before})
    db.session.commit()
    return rec


def listing(user: User, org_id: int, season_id: int) -> list[dict]:
    org = _org(user, org_id)
    rows = db.session.execute(select(Recommendation, Attachment).join(Attachment, Attachment.id == Recommendation.scan_id)
                              .where(Recommendation.org_id == org.id, Recommendation.season_id == season_id)
                              .order_by(Recommendation.level)).all()
    return [{"id": r.id, "org_id": r.org_id, "season_id": r.season_id, "level": r.level,
             "filename": a.filename, "content_type": a.content_type, "size": a.size,
             "uploaded_at": r.uploaded_at.isoformat()} for r, a in rows]


def scan_file(user: User, recommendation_id: int):
    rec = db.session.get(Recommendation, recommendation_id)
    if rec is None or not policy.can(user, "review.sheet", db.session.get(Organisation, rec.org_id)):
        raise NotFound("review.errors.scan_not_found", code="scan_not_found")
    a = db.session.get(Attachment, rec.scan_id)
    return INSTANCE_DIR / a.storage_key, a.content_type, a.filename
