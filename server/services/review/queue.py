"""A reviewer's queue (issue 15 item 5): what waits for me, with filters, sorting and paging.

Waiting (no `status` filter) = the entry's status waits for a level whose handling organisation
(entry_reviews, fixed at submission) is one I hold a reviewing role on. With a `status` filter:
the entries of that status whose route passes through my organisation at any level — what
waits for me in that status, and what I recommended, returned, or saw accepted."""
from __future__ import annotations

from sqlalchemy import and_, asc, desc, func, or_, select
from sqlalchemy.orm import joinedload

from ...errors import ValidationError
from ...extensions import db
from ...models import Entry, EntryReview, Organisation
from ...models.entry import STATUSES
from ...texts import t
from .. import policy, status as status_machine
from . import duplicates, route

SORTS = {"submitted_at": Entry.submitted_at, "title": Entry.title, "id": Entry.id, "category": Entry.category,
         "industry": Entry.industry}
MAX_PER_PAGE = 200
# Counting stops after this many matching entries (the total then reads "more than COUNT_CAP",
# `capped`); None counts them all with the page (a window count: bench/review.py's baseline).
COUNT_CAP: int | None = 1000
REVIEW_PERMISSIONS = (status_machine.UNIT, status_machine.COUNTY, status_machine.CITY)


def reviewing_orgs(user) -> list[int]:
    """Organisations on which the user holds a role that reviews at some level."""
    roles = {r for p in REVIEW_PERMISSIONS for r in policy.roles_with(p, "unit_level") + policy.roles_with(
        p, "county_level") + policy.roles_with(p, "city_level")}
    return sorted({a.org_id for a in user.roles if a.role in roles})


def reviewing_org_list(user) -> list[Organisation]:
    """The organisations of `reviewing_orgs`, in tree order."""
    ids = reviewing_orgs(user)
    return list(db.session.scalars(select(Organisation).where(Organisation.id.in_(ids)).order_by(
        Organisation.path))) if ids else []


def titles(ids: list[int]) -> dict[int, str | None]:
    """{entry id: title} (a batch's results name their entries, including those that left the queue)."""
    if not ids:
        return {}
    return {i: title for i, title in db.session.execute(select(Entry.id, Entry.title).where(Entry.id.in_(ids)))}


def _waiting(orgs: list[int]):
    waits = status_machine.waiting_for()
    return or_(
        and_(Entry.status.in_(waits["unit"]), EntryReview.unit_org_id.in_(orgs)),
        and_(Entry.status.in_(waits["county"]), EntryReview.county_org_id.in_(orgs)),
        and_(Entry.status == "unit_recommended", EntryReview.county_org_id.is_(None),
             EntryReview.city_org_id.in_(orgs)),
        and_(Entry.status == "county_recommended", EntryReview.city_org_id.in_(orgs)))


def _through(orgs: list[int]):
    return or_(EntryReview.unit_org_id.in_(orgs), EntryReview.county_org_id.in_(orgs),
               EntryReview.city_org_id.in_(orgs))


def queue(user, *, season_id: int | None = None, status: str | None = None, category: str | None = None,
          industry: str | None = None, unit: int | None = None, unconfirmed: bool = False,
          sort: str = "submitted_at", order: str = "asc", page: int = 1, per_page: int = 50) -> dict:
    if status is not None and status not in STATUSES:
        raise ValidationError("review.errors.bad_filter", code="bad_filter", field="status", name="status",
                              value=str(status)[:30],
                              allowed="、".join(STATUSES))
    if sort not in SORTS or order not in ("asc", "desc"):
        raise ValidationError("review.errors.bad_sort", code="bad_filter", field="sort",
                              allowed="、".join(SORTS))
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        raise ValidationError("review.errors.bad_page", code="bad_filter", field="page", limit=MAX_PER_PAGE)
    orgs = reviewing_orgs(user)
    if not orgs:
        return {"total": 0, "capped": False, "page": page, "per_page": per_page, "items": []}
    where = [_waiting(orgs) if status is None else _through(orgs),
             Entry.created_by_id != user.id, or_(Entry.agent_id.is_(None), Entry.agent_id != user.id)]
    if status is not None:
        where.append(Entry.status == status)
    if season_id is not None:
        where.append(Entry.season_id == season_id)
    if category:
        where.append(Entry.category == category)
    if industry:
        where.append(Entry.industry == industry)
    if unit:
        where.append(or_(Entry.unit_id == unit, EntryReview.unit_org_id == unit))
    if unconfirmed:
        where.append(and_(Entry.status == "submitted", EntryReview.unit_confirmed_at.is_(None)))
    base = select(Entry.id).join(EntryReview, EntryReview.entry_id == Entry.id).where(*where)
    column = SORTS[sort]
    ordered = ((asc if order == "asc" else desc)(column), Entry.id)
    capped = False
    if COUNT_CAP is None:
        # One scan sorts and pages narrow rows (ids, and the total as a window count).
        page_rows = db.session.execute(base.add_columns(func.count().over()).order_by(*ordered)
                                       .limit(per_page).offset((page - 1) * per_page)).all()
        ids = [r[0] for r in page_rows]
        total = page_rows[0][1] if page_rows else db.session.scalar(
            select(func.count()).select_from(base.subquery()))
    else:
        # The page's ids (a top-N sort, no full count), and a count that stops at the cap, like
        # the audit trail's: "more than 1000" is what a reviewer needs to know past that.
        ids = list(db.session.scalars(base.order_by(*ordered).limit(per_page).offset((page - 1) * per_page)))
        total = db.session.scalar(select(func.count()).select_from(base.limit(COUNT_CAP + 1).subquery()))
        capped = total > COUNT_CAP
        total = min(total, COUNT_CAP)
    found = {e.id: (e, r) for e, r in db.session.execute(
        select(Entry, EntryReview).join(EntryReview, EntryReview.entry_id == Entry.id)
        .where(Entry.id.in_(ids)).options(joinedload(Entry.leader))).all()} if ids else {}
    rows = [found[i] for i in ids]
    entries = [r[0] for r in rows]
    flags = duplicates.flags(entries)
    units = {o.id: o.name for o in db.session.scalars(select(Organisation).where(
        Organisation.id.in_({e.unit_id for e in entries if e.unit_id})))}
    items = [item(e, review, units.get(e.unit_id), flags.get(e.id, [])) for e, review in rows]
    return {"total": total, "capped": capped, "page": page, "per_page": per_page, "items": items}


def item(e: Entry, review: EntryReview, unit_name: str | None, dups: list[dict]) -> dict:
    return {"id": e.id, "title": e.title, "status": e.status, "status_label": t(f"catalog.statuses.{e.status}"),
            "category": e.category, "industry": e.industry,
            "unit": {"id": e.unit_id, "name": unit_name} if e.unit_id else None,
            "leader": e.leader.name if e.leader is not None else None,
            "submitted_at": e.submitted_at.isoformat() if e.submitted_at else None,
            "level": route.level_of(review, e.status),
            "unit_confirmed": review.unit_confirmed_at is not None,
            "unit_source": getattr(e, "unit_source", None),
            "agent_filed": e.agent_id is not None,
            "duplicates": dups}
