"""The season's results announcement (通报): the winners by award — entry, leader, unit — each
with the link its certificate's QR code carries. Read from the certificates issued (a revoked
one drops out), so it shows exactly what has been released. Winning units (优胜单位) and
organisation awards (优秀组织奖) are listed after the entries, by unit. The same data makes the
printable PDF and DOCX (announce_doc.py), with the issuing bodies' signature lines."""
from __future__ import annotations

from sqlalchemy import select

from ...errors import NotFound
from ...extensions import db
from ...models import Certificate, Entry, Organisation, Season
from ...texts import lookup
from . import codec
from .issue import url_for


def season_results(season_id: int, base_url: str) -> dict:
    season = db.session.get(Season, season_id)
    if season is None:
        raise NotFound("certificate.errors.season_not_found", code="season_not_found")
    rows = db.session.execute(
        select(Certificate, Organisation.name).outerjoin(Entry, Entry.id == Certificate.entry_id)
        .outerjoin(Organisation, Organisation.id == Entry.unit_id)
        .where(Certificate.season_id == season_id, Certificate.revoked_at.is_(None))
        .order_by(Certificate.id)).all()
    labels = lookup("certificate.awards")
    groups = {award: [] for award in codec.AWARDS}
    for cert, unit in rows:
        groups[cert.award].append({"serial": cert.serial, "title": cert.title, "holder": cert.holder_name,
                                   "unit": unit or "", "verify_url": url_for(cert, base_url)})
    issuers = season.setting("certificate.issuers") or lookup("certificate.default_issuers")
    return {"season": {"id": season.id, "name": season.name, "year": season.year},
            "competition": season.setting("certificate.title") or lookup("certificate.competition_title"),
            "total": sum(len(groups[a]) for a in codec.ENTRY_AWARDS),
            "units": sum(len(groups[a]) for a in codec.ORG_AWARDS),
            "issuers": [i["name"] for i in issuers],
            "awards": [{"award": a, "label": labels[a], "holder_kind": codec.holder_kind(a), "winners": w}
                       for a, w in groups.items() if w]}
