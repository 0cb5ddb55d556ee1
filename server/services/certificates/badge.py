"""The portable form: an Open Badges 3.0 credential as a VC-JWT (OB 3.0 §8.2, the payload is
the credential itself), signed EdDSA with the same Ed25519 key as the QR code, made with
`cryptography` alone. The contexts are named, never fetched. The JOSE header carries the key
id and the public key (jwk), so a wallet verifies it offline; the key is also published at
/.well-known/wx-certificate-keys.json with its validity dates."""
from __future__ import annotations

import json
from calendar import timegm

from ...models import Certificate, Season
from ...extensions import db
from ...texts import lookup
from . import codec
from .keys import private_key

CONTEXT = ["https://www.w3.org/ns/credentials/v2",
           "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]


def credential(cert: Certificate, base_url: str) -> dict:
    base = base_url.rstrip("/")
    season = db.session.get(Season, cert.season_id)
    cfg = lookup("certificate")
    award = cfg["awards"][cert.award]
    issuers = season.setting("certificate.issuers") or cfg["default_issuers"]
    issued = cert.issued_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "@context": CONTEXT,
        "id": f"{base}/verify/{cert.serial}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{season.name} {award}",
        "issuer": {"id": base, "type": ["Profile"], "name": "、".join(i["name"] for i in issuers)},
        "validFrom": issued,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [{"type": "IdentityObject", "identityType": "name", "hashed": False,
                            "identityHash": cert.holder_name}],
            "achievement": {
                "id": f"{base}/seasons/{season.id}/awards/{cert.award}",
                "type": ["Achievement"],
                "name": f"{season.name} {award}",
                "description": f"{season.setting('certificate.title') or cfg['competition_title']}："
                               f"{cert.title or cert.holder_name}",
                "criteria": {"narrative": award},
            },
        },
        "iss": base,
        "nbf": timegm(cert.issued_at.timetuple()),
        "jti": f"{base}/verify/{cert.serial}",
    }


def vc_jwt(cert: Certificate, base_url: str) -> str:
    key = cert.key
    header = {"alg": "EdDSA", "typ": "JWT", "kid": key.kid,
              "jwk": {"kty": "OKP", "crv": "Ed25519", "x": key.public_key, "kid": key.kid}}
    body = credential(cert, base_url)
    signing_input = ".".join(codec.b64e(json.dumps(part, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
                             for part in (header, body))
    return signing_input + "." + codec.b64e(private_key(key).sign(signing_input.encode("ascii")))
