"""The season's results announcement (通报): the winners by award — entry, leader, unit — each
with the link its certificate's QR code carries. Read from the certificates issued (a revoked
one drops out), so it shows exactly what has been released. Winning units and organisation
awards join when the statistics issue decides them."""
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
        select(Certificate, Organisation.name).join(Entry, Entry.id == Certificate.entry_id)
        .outerjoin(Organisation, Organisation.id == Entry.unit_id)
        .where(Certificate.season_id == season_id, Certificate.revoked_at.is_(None))
        .order_by(Certificate.id)).all()
    labels = lookup("certificate.awards")
    groups = {award: [] for award in codec.AWARDS}
    for cert, unit in rows:
        groups[cert.award].append({"serial": cert.serial, "title": cert.title, "holder": cert.holder_name,
                                   "unit": unit or "", "verify_url": url_for(cert, base_url)})
    return {"season": {"id": season.id, "name": season.name, "year": season.year},
            "competition": season.setting("certificate.title") or lookup("certificate.competition_title"),
            "total": len(rows),
            "awards": [{"award": a, "label": labels[a], "winners": w} for a, w in groups.items() if w]}
