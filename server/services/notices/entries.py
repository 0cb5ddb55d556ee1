"""What an entry's filer hears while it is theirs: that it was submitted (and the farmer it was
filed for), and that a draft lies unfinished (services/nudges.py emits that one)."""
from __future__ import annotations

from ...extensions import db
from ...models import Entry, Organisation
from ...texts import lookup
from ...timeutil import to_china
from ..review.calendar import deadlines


def entry_submitted(payload: dict) -> list[tuple[int, str, dict]]:
    """payload {"entry_id"}: the filer; a farmer who bound the phone, when an e-station agent filed."""
    entry = db.session.get(Entry, payload["entry_id"])
    if entry is None:
        return []
    values = {"title": entry.title or "", "submitted_at": to_china(entry.submitted_at).strftime("%Y-%m-%d %H:%M"),
              "station": _org_name(entry.unit_id)}
    out = [(entry.created_by_id, "entry_submitted", values)]
    farmer = entry.applicant.user_id if entry.applicant is not None else None
    if farmer and farmer != entry.created_by_id:     # filed by an e-station agent; the farmer bound their phone
        out.append((farmer, "proxy_entry_submitted", values))
    return out


def _org_name(org_id: int | None) -> str:
    org = db.session.get(Organisation, org_id) if org_id else None
    return org.name if org is not None else ""


def draft_unfinished(payload: dict) -> list[tuple[int, str, dict]]:
    """payload {"entry_id"}: the author of a draft still a draft, with the participants' own last
    day (issue 15), not the window's."""
    entry = db.session.get(Entry, payload["entry_id"])
    if entry is None or entry.status != "draft":
        return []                            # submitted or withdrawn since: nothing to say
    values = {"title": entry.title or lookup("subscribe.untitled"),
              "deadline": f"{deadlines(entry.season)['participants'].isoformat()} 23:59"}
    return [(entry.created_by_id, "draft_unfinished", values)]
