"""What a certificate's holder hears (issue 17): that it was issued, unless it was revoked since
or has no holder account to tell."""
from __future__ import annotations

from ...extensions import db
from ...models import Certificate
from ...texts import lookup


def certificate_issued(payload: dict) -> list[tuple[int, str, dict]]:
    """payload {"certificate_id"}."""
    cert = db.session.get(Certificate, payload["certificate_id"])
    if cert is None or cert.revoked_at is not None or cert.holder_user_id is None:
        return []
    values = {"title": cert.title or cert.holder_name, "award": lookup("certificate.awards")[cert.award],
              "serial": cert.serial}
    return [(cert.holder_user_id, "certificate_issued", values)]
