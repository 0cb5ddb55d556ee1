"""The city office's view of a season's certificates (console): a page of them found by serial,
holder or award and filtered by status, and one certificate with what happened to it."""
from __future__ import annotations

from sqlalchemy import or_, select

from ...errors import NotFound
from ...extensions import db
from ...models import Certificate, Season, User
from ...services.tables import Page, TableQuery, page
from .. import audit_query, policy
from . import codec

STATUSES = ("valid", "revoked")


def seasons() -> list[Season]:
    return list(db.session.scalars(select(Season).order_by(Season.id.desc())))


def find(actor: User, season_id: int, q: TableQuery) -> Page:
    """q.filters: q (serial or holder, a part of it), award (a code), status (valid | revoked)."""
    policy.require(actor, "certificate.manage")
    stmt = select(Certificate).where(Certificate.season_id == season_id)
    text = (q.filters.get("q") or "")[:50]
    if text:
        like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(or_(Certificate.serial.ilike(like, escape="\\"),
                              Certificate.holder_name.ilike(like, escape="\\"),
                              Certificate.title.ilike(like, escape="\\")))
    if q.filters.get("award") in codec.AWARDS:
        stmt = stmt.where(Certificate.award == q.filters["award"])
    if q.filters.get("status") == "valid":
        stmt = stmt.where(Certificate.revoked_at.is_(None))
    elif q.filters.get("status") == "revoked":
        stmt = stmt.where(Certificate.revoked_at.is_not(None))
    sortable = {"serial": Certificate.serial, "holder": Certificate.holder_name, "award": Certificate.award,
                "issued": Certificate.issued_at}
    return page(stmt, q, sortable, "serial", tiebreak=Certificate.id)


def one(actor: User, serial: str) -> dict:
    policy.require(actor, "certificate.manage")
    cert = db.session.scalar(select(Certificate).where(Certificate.serial == (serial or "")[:40]))
    if cert is None:
        raise NotFound("certificate.errors.not_found", code="certificate_not_found", serial=(serial or "")[:40])
    replaces = db.session.scalar(select(Certificate).where(Certificate.replaced_by_id == cert.id))
    return {"cert": cert, "replaced_by": cert.replaced_by, "replaces": replaces,
            "trail": audit_query.for_object("certificate", cert.id)}


def season_name(season_id: int) -> str:
    season = db.session.get(Season, season_id)
    if season is None:
        raise NotFound("certificate.errors.season_not_found", code="season_not_found")
    return season.name
