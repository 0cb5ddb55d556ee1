"""The certificate's mini-program code (optional, issue 17 item 3): a WeChat code
(getwxacodeunlimit) whose scene is the serial (at most 19 characters of [A-Z0-9-]; WeChat allows
32), opening the mini-program's check page (config CERT_VERIFY_PAGE), which asks
GET /api/v1/certificates/{serial} — the register's answer, as for a serial typed by hand (the
scene is too short for the signature; the QR code on the certificate carries that). Made once
per certificate and kept under instance/wxacodes/ (WeChat allows 5,000 a minute)."""
from __future__ import annotations

import os

from flask import current_app
from sqlalchemy import select

from ...config import INSTANCE_DIR
from ...errors import NotFound
from ...extensions import db
from ...models import Certificate
from ...wechat import gateway
from .. import auth
from . import codec

WIDTH = 280            # px, WeChat's smallest: the page shows it small


def scene_for(serial: str) -> str:
    """The serial itself: SERIAL_RE allows at most 27 characters, all in WeChat's scene alphabet."""
    return serial


def code_png(serial: str) -> bytes:
    serial = (serial or "")[:40]
    known = codec.SERIAL_RE.match(serial) and db.session.scalar(
        select(Certificate.id).where(Certificate.serial == serial, Certificate.revoked_at.is_(None)))
    if not known:
        raise NotFound("certificate.errors.not_found", code="certificate_not_found", serial=serial)
    path = INSTANCE_DIR / "wxacodes" / f"{serial}.png"
    if path.exists():
        return path.read_bytes()
    image = auth._wechat_call(gateway().wxa_code_unlimited, scene_for(serial),
                              current_app.config["CERT_VERIFY_PAGE"], WIDTH, "release", False)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(image)
    os.replace(tmp, path)
    return image
