"""Signing keys: generated on first need (one pair per deployment), rotated on demand; the
private key is stored encrypted (Fernet, key derived from SECRET_KEY with HKDF) — why in the
database and not under instance/: see models/certificate.py. Changing SECRET_KEY makes the
stored private keys unreadable: rotate (a new key is made) — old certificates stay valid, as
verification needs only the public keys."""
from __future__ import annotations

import base64
import secrets
from functools import lru_cache

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ...models import SigningKey
from ...timeutil import utcnow
from .codec import b64e


@lru_cache(maxsize=4)
def _fernet(secret: str) -> Fernet:
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"wx-certificates",
               info=b"certificate signing key at rest").derive(secret.encode("utf-8"))
    return Fernet(base64.urlsafe_b64encode(raw))


def _box() -> Fernet:
    return _fernet(current_app.config["SECRET_KEY"])


@lru_cache(maxsize=16)
def _private_from(token: str, secret: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(_fernet(secret).decrypt(token.encode("ascii")))


def private_key(key: SigningKey) -> Ed25519PrivateKey:
    return _private_from(key.private_key_enc, current_app.config["SECRET_KEY"])


def _new_key() -> SigningKey:
    private = Ed25519PrivateKey.generate()
    raw = private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                serialization.NoEncryption())
    public = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return SigningKey(kid=secrets.token_hex(4), public_key=b64e(public),
                      private_key_enc=_box().encrypt(raw).decode("ascii"), valid_from=utcnow())


def current_key() -> SigningKey:
    """The key that signs now, made (and committed) on first need."""
    key = db.session.scalar(select(SigningKey).where(SigningKey.valid_until.is_(None))
                            .order_by(SigningKey.id.desc()).limit(1))
    if key is not None:
        return key
    key = _new_key()
    db.session.add(key)
    try:
        db.session.commit()
    except IntegrityError:          # another process made one at the same moment (kid clash)
        db.session.rollback()
        return current_key()
    return key


def rotate() -> SigningKey:
    """Retire the signing key (it stays published and verifies what it signed) and make a new one."""
    now = utcnow()
    for key in db.session.scalars(select(SigningKey).where(SigningKey.valid_until.is_(None))):
        key.valid_until = now
    key = _new_key()
    key.valid_from = now
    db.session.add(key)
    db.session.commit()
    return key


def _iso(dt) -> str | None:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ") if dt else None


def public_keys_document() -> dict:
    """/.well-known/wx-certificate-keys.json: a JWK set (Ed25519, EdDSA) with validity dates."""
    keys = db.session.scalars(select(SigningKey).order_by(SigningKey.id)).all()
    if not keys:
        keys = [current_key()]
    return {"issuer": current_app.config["PUBLIC_BASE_URL"],
            "keys": [{"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig", "kid": k.kid,
                      "x": k.public_key, "valid_from": _iso(k.valid_from), "valid_until": _iso(k.valid_until)}
                     for k in keys]}
