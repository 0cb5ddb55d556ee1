"""Revocation by a city admin with a reason (policy row certificate.revoke), audited; and the
public revocation list, signed with the current key so an offline verifier holding a recent
copy can check it (codec.verify_document)."""
from __future__ import annotations

from sqlalchemy import select

from ...errors import Conflict, NotFound, ValidationError
from ...extensions import db
from ...models import Certificate, User
from ...timeutil import utcnow
from .. import audit, policy
from . import codec
from .keys import _iso, current_key, private_key


def revoke(actor: User, serial: str, reason: str) -> Certificate:
    policy.require(actor, "certificate.revoke")
    reason = " ".join((reason or "").split())
    if not 2 <= len(reason) <= 200:
        raise ValidationError("certificate.errors.revoke_reason", code="reason_required", field="reason")
    cert = db.session.scalar(select(Certificate).where(Certificate.serial == serial).with_for_update(of=Certificate))
    if cert is None:
        raise NotFound("certificate.errors.not_found", code="certificate_not_found", serial=serial[:40])
    if cert.revoked_at is not None:
        raise Conflict("certificate.errors.already_revoked", code="already_revoked")
    cert.revoked_at, cert.revoked_reason, cert.revoked_by_id = utcnow(), reason, actor.id
    audit.record(actor, "certificate_revoked", "certificate", cert.id, from_status="valid",
                 to_status="revoked", reason=reason, data={"serial": cert.serial})
    db.session.commit()
    return cert


def revocation_list() -> dict:
    """/.well-known/wx-certificate-revocations.json: every revoked serial with date and reason."""
    rows = db.session.scalars(select(Certificate).where(Certificate.revoked_at.is_not(None))
                              .order_by(Certificate.revoked_at)).all()
    key = current_key()
    body = {"issued_at": _iso(utcnow()),
            "revoked": [{"serial": c.serial, "revoked_at": _iso(c.revoked_at), "reason": c.revoked_reason}
                        for c in rows]}
    return codec.sign_document(private_key(key), key.kid, body)
