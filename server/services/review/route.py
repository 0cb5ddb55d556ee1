"""Who reviews what (RULES.md: city → county or industry union → unit; four organising networks).

route(entry) → the organisation acting at each level, computed when the entry is submitted:
- unit: the entry's unit (a team's entries belong to its unit). A unit with no unit_admin — or
  whose only admin filed the entry (an e-station agent for a farmer) — is handled by the level
  above (its county-level body, or the city).
- county: the nearest county / industry union above the unit. A unit of another network than
  the union (a college → youth league; an e-station → science association; the women's
  federation's units) climbs through that network's body under the county (团县委, 县科协,
  县妇联: an organisation with the unit's `system` whose parent is the county) when it has an
  admin. A unit directly under the city has no county level (None). A county body with no
  county_admin is handled by the city.
- city: the city above (its city_admin accepts)."""
from __future__ import annotations

from sqlalchemy import exists, select

from ...extensions import db
from ...models import Entry, EntryReview, Organisation, RoleAssignment
from . import duplicates

COUNTY_KINDS = ("county", "industry_union")


def _ancestors(org: Organisation) -> list[Organisation]:
    """The org and those above it, nearest first."""
    ids = list(reversed(org.ancestor_ids()))
    found = {o.id: o for o in db.session.scalars(select(Organisation).where(Organisation.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def has_admin(org: Organisation, role: str, besides: tuple = ()) -> bool:
    """Someone holds `role` on the org (other than `besides`: the entry's filer and agent)."""
    return bool(db.session.scalar(select(exists().where(
        RoleAssignment.org_id == org.id, RoleAssignment.role == role,
        RoleAssignment.user_id.not_in([b for b in besides if b is not None])))))


def _network_body(county: Organisation, system: str | None) -> Organisation | None:
    if not system or system == "union":
        return None
    return db.session.scalar(select(Organisation).where(
        Organisation.parent_id == county.id, Organisation.system == system,
        Organisation.kind.in_(("county", "industry_union", "city"))).order_by(Organisation.id))


def compute(entry: Entry) -> tuple[int, int | None, int]:
    """(unit org id, county org id or None, city org id) — the handling org of each level."""
    unit = db.session.get(Organisation, entry.unit_id)
    chain = _ancestors(unit)
    unit_org = next((o for o in chain if o.kind == "unit"), unit)
    county = next((o for o in chain if o.kind in COUNTY_KINDS), None)
    city = next((o for o in chain if o.kind == "city"), chain[-1])
    county_handler = None
    if county is not None:
        body = _network_body(county, unit_org.system)
        if body is not None and has_admin(body, "county_admin"):
            county_handler = body
        elif has_admin(county, "county_admin"):
            county_handler = county
        else:
            county_handler = city
    if has_admin(unit_org, "unit_admin", besides=(entry.created_by_id, entry.agent_id)):
        unit_handler = unit_org                 # (an agent who is the station's only admin does not count)
    else:
        unit_handler = county_handler or city
    return unit_handler.id, (county_handler.id if county_handler is not None else None), city.id


def ensure(entry: Entry, recompute: bool = False) -> EntryReview:
    """The entry's review row, routed now if new (or when `recompute`: a resubmission, whose
    unit may have changed), with its leader's duplicate-search keys. Adds to the caller's
    transaction."""
    review = db.session.get(EntryReview, entry.id)
    if review is not None and not recompute:
        return review
    with db.session.no_autoflush:
        unit_org_id, county_org_id, city_org_id = compute(entry)
    if review is None:
        review = EntryReview(entry_id=entry.id)
        db.session.add(review)
    elif review.unit_org_id != unit_org_id:
        review.unit_confirmed_at = review.unit_confirmed_by_id = None    # a new unit confirms anew
    review.unit_org_id, review.county_org_id, review.city_org_id = unit_org_id, county_org_id, city_org_id
    duplicates.index(entry)                  # the leader's name as it is now, for duplicate flags
    return review


def level_of(review: EntryReview, status: str) -> str | None:
    """The level an entry in `status` waits for."""
    if status == "submitted":
        return "unit"
    if status == "unit_recommended":
        return "county" if review.county_org_id is not None else "city"
    if status == "county_recommended":
        return "city"
    return None


def handler(review: EntryReview, level: str) -> int | None:
    return {"unit": review.unit_org_id, "county": review.county_org_id, "city": review.city_org_id}[level]


def reply_by(entry: Entry):
    """The reply-by date of the entry's last return, while it is returned (else None)."""
    if entry.status != "returned" or entry.id is None:
        return None
    review = db.session.get(EntryReview, entry.id)
    return review.reply_by if review is not None else None


def at_level(user_id: int, held: Organisation, entry: Entry, level: str) -> bool:
    """The held org acts at `level` on this entry now: the entry waits for that level and the
    org is that level's handler; never on an entry the user filed (an e-station agent does not
    review the farmer's entry they filed)."""
    if user_id in (entry.created_by_id, entry.agent_id) or entry.id is None:
        return False
    review = db.session.get(EntryReview, entry.id)
    if review is None:
        return False
    return level_of(review, entry.status) == level and handler(review, level) == held.id
