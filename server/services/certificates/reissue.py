"""Re-issue by the city office, two kinds (console, policy rows certificate.manage / .revoke):

- redraw: the same certificate drawn again (its files were lost, a seal image or the layout
  changed). Serial, payload and signature stay; what the QR code carries still verifies.
- replace: the signed content was wrong (a holder's name misspelt). The signed payload cannot
  change, so a replacement is issued — same award, entry or unit, the corrected name, the next
  generation's serial (…R1, …R2) — and the old certificate is revoked with a reason naming the
  new serial and points to it (replaced_by_id). Scanning the old one answers "revoked: replaced
  by WX…R1"; the revocation list says the same. Both steps commit together, audited."""
from __future__ import annotations

import re

from sqlalchemy import select

from ...errors import Conflict, FieldErrors, NotFound
from ...extensions import db
from ...models import Certificate, Season, User
from ...texts import t
from ...timeutil import utcnow
from .. import audit, policy
from . import render
from .issue import signed


def _get(serial: str, lock: bool = False) -> Certificate:
    stmt = select(Certificate).where(Certificate.serial == (serial or "")[:40])
    cert = db.session.scalar(stmt.with_for_update(of=Certificate) if lock else stmt)
    if cert is None:
        raise NotFound("certificate.errors.not_found", code="certificate_not_found", serial=(serial or "")[:40])
    return cert


def redraw(actor: User, serial: str) -> Certificate:
    """Draw both files again from the register row (same serial and signature)."""
    policy.require(actor, "certificate.manage")
    cert = _get(serial)
    if cert.revoked_at is not None:
        raise Conflict("certificate.errors.revoked_no_reissue", code="certificate_revoked")
    for fmt in render.RENDERERS:
        render.stored_path(cert.serial, fmt).unlink(missing_ok=True)
        render.stored(cert, fmt)
    audit.record(actor, "certificate_redrawn", "certificate", cert.id, data={"serial": cert.serial})
    db.session.commit()
    return cert


def _clean(text: str) -> str:
    return " ".join((text or "").split())


def replace(actor: User, serial: str, holder_name: str, reason: str) -> Certificate:
    """Issue the replacement with `holder_name` and revoke the old one; returns the new one."""
    policy.require(actor, "certificate.revoke")
    policy.require(actor, "certificate.manage")
    name, reason = _clean(holder_name), _clean(reason)
    errors = {}
    if not 1 <= len(name) <= 50:
        errors["holder_name"] = t("certificate.errors.holder_name")
    if not 2 <= len(reason) <= 150:
        errors["reason"] = t("certificate.errors.replace_reason")
    old = _get(serial, lock=True)
    if old.revoked_at is not None:
        raise Conflict("certificate.errors.already_revoked", code="already_revoked")
    if not errors and name == old.holder_name:
        errors["holder_name"] = t("certificate.errors.holder_name_same")
    if errors:
        raise FieldErrors(errors)
    generation = old.generation + 1
    new_serial = re.sub(r"R\d+$", "", old.serial) + f"R{generation}"
    new = signed(db.session.get(Season, old.season_id), serial=new_serial, award=old.award, holder=name,
                 title=old.title, kind=old.kind, entry_id=old.entry_id, holder_person_id=old.holder_person_id,
                 holder_user_id=old.holder_user_id, holder_org_id=old.holder_org_id, generation=generation)
    old.revoked_at, old.revoked_by_id, old.replaced_by_id = utcnow(), actor.id, new.id
    old.revoked_reason = t("certificate.replaced_reason", serial=new.serial, reason=reason)[:200]
    audit.record(actor, "certificate_replaced", "certificate", old.id, from_status="valid", to_status="revoked",
                 reason=reason, data={"serial": old.serial, "replaced_by": new.serial,
                                      "holder_before": old.holder_name, "holder_after": new.holder_name})
    db.session.commit()
    return new
