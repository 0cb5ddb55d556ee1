"""What a holder sees of their certificates: the list (with the verification URL and download
links) and the files. A holder is the leader's account (Person.user_id, also when linked after
issue) or, for a leader without one, whoever filed the entry."""
from __future__ import annotations

from sqlalchemy import or_, select

from ...errors import Conflict, NotFound
from ...extensions import db
from ...models import Certificate, Person, User
from . import badge, render
from .issue import url_for
from .verify import _facts


def _mine(user: User):
    linked = select(Person.id).where(Person.user_id == user.id)
    return select(Certificate).where(or_(Certificate.holder_user_id == user.id,
                                         Certificate.holder_person_id.in_(linked)))


def list_for(user: User, base_url: str) -> list[dict]:
    out = []
    for cert in db.session.scalars(_mine(user).order_by(Certificate.issued_at.desc(), Certificate.id.desc())):
        files = f"/api/v1/me/certificates/{cert.serial}/file"
        out.append(dict(_facts(cert), status="revoked" if cert.revoked_at else "valid",
                        verify_url=url_for(cert, base_url),
                        downloads={"pdf": f"{files}?format=pdf", "png": f"{files}?format=png",
                                   "openbadge": f"{files}?format=ob3"}))
    return out


def file_for(user: User, serial: str, fmt: str, base_url: str) -> tuple[bytes, str]:
    cert = db.session.scalar(_mine(user).where(Certificate.serial == serial[:40]))
    if cert is None:
        raise NotFound("certificate.errors.not_found", code="certificate_not_found", serial=serial[:40])
    if cert.revoked_at is not None:
        raise Conflict("certificate.errors.revoked_no_download", code="certificate_revoked")
    if fmt == "ob3":
        return badge.vc_jwt(cert, base_url).encode("ascii"), "application/vc+jwt"
    return render.stored(cert, fmt), {"pdf": "application/pdf", "png": "image/png"}[fmt]
