"""What a holder sees of their certificates: the list (with the verification URL and download
links) and the files. Who holds one is the policy table's "certificate.download" (policy.py): a
person's certificate is the leader's account (Person.user_id, also when linked after issue) or,
for a leader without one, whoever filed the entry; a unit's (优胜单位, 优秀组织奖) is every admin
of that unit, in the same list, marked holder_kind "org". Anyone else is told the serial does not
exist, as for an unknown one."""
from __future__ import annotations

from sqlalchemy import and_, or_, select

from ...errors import Conflict, NotFound
from ...extensions import db
from ...models import Certificate, Organisation, Person, User
from .. import policy
from . import badge, render
from .issue import url_for
from .verify import _facts

ACTION = "certificate.download"


def _candidates(user: User):
    """The certificates the user may hold, narrowed in SQL; `policy.can` judges each."""
    linked = select(Person.id).where(Person.user_id == user.id)
    person = and_(Certificate.holder_kind == "person", or_(Certificate.holder_user_id == user.id,
                                                           Certificate.holder_person_id.in_(linked)))
    units = policy.held_org_ids(user, ACTION, "holder_org")
    unit = and_(Certificate.holder_kind == "org", Certificate.holder_org_id.in_(units))
    return select(Certificate).where(or_(person, unit) if units else person)


def _unit(cert: Certificate) -> dict | None:
    if cert.holder_kind != "org":
        return None
    org = db.session.get(Organisation, cert.holder_org_id)
    return {"id": org.id, "name": org.name}


def _item(cert: Certificate, base_url: str) -> dict:
    files = f"/api/v1/me/certificates/{cert.serial}/file"
    return dict(_facts(cert), status="revoked" if cert.revoked_at else "valid",
                holder_kind=cert.holder_kind, unit=_unit(cert), verify_url=url_for(cert, base_url),
                downloads={"pdf": f"{files}?format=pdf", "png": f"{files}?format=png",
                           "openbadge": f"{files}?format=ob3"})


def list_for(user: User, base_url: str) -> list[dict]:
    """The user's own certificates and their units', newest first."""
    query = _candidates(user).order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    return [_item(cert, base_url) for cert in db.session.scalars(query) if policy.can(user, ACTION, cert)]


def file_for(user: User, serial: str, fmt: str, base_url: str) -> tuple[bytes, str]:
    cert = db.session.scalar(select(Certificate).where(Certificate.serial == serial[:40]))
    if cert is None or not policy.can(user, ACTION, cert):      # the same answer: existence not revealed
        raise NotFound("certificate.errors.not_found", code="certificate_not_found", serial=serial[:40])
    if cert.revoked_at is not None:
        raise Conflict("certificate.errors.revoked_no_download", code="certificate_revoked")
    if fmt == "ob3":
        return badge.vc_jwt(cert, base_url).encode("ascii"), "application/vc+jwt"
    return render.stored(cert, fmt), {"pdf": "application/pdf", "png": "image/png"}[fmt]
