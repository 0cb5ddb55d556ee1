"""What the review chain tells people (issue 15 item 7), through the outbox (notices.HANDLERS):
the filer (the e-station agent for a farmer's entry) and the farmer who bound the phone hear
that an entry was returned (with the reason and reply-by date), recommended upward, accepted,
or not passed on. Reviewers are reminded in the last days of their level (reviewer_audience)."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from ...extensions import db
from ...models import Entry, EntryReview, RoleAssignment, Season
from ...texts import lookup, t
from ...timeutil import china_today, to_china, utcnow
from ..status import waiting_for
from .calendar import deadlines, remind_days

RESULT = {"returned": "returned", "unit_recommended": "recommended", "county_recommended": "recommended",
          "accepted": "accepted", "not_recommended": "not_recommended", "ineligible": "ineligible"}
LEVEL_ROLE = {"unit": ("unit_admin", "county_admin", "city_admin"), "county": ("county_admin", "city_admin"),
              "city": ("city_admin",)}


def review_result(payload: dict) -> list[tuple[int, str, dict]]:
    entry = db.session.get(Entry, payload["entry_id"])
    if entry is None or entry.status not in RESULT:
        return []
    review = db.session.get(EntryReview, entry.id)
    if entry.status == "returned" and review is not None:
        note = f"{review.return_reason or ''}（{review.reply_by.isoformat() if review.reply_by else ''}前）"
    else:
        note = t(f"catalog.statuses.{entry.status}")
    values = {"title": entry.title or lookup("subscribe.untitled"),
              "result": lookup("subscribe.review_results")[RESULT[entry.status]], "note": note,
              "at": to_china(utcnow()).strftime("%Y-%m-%d %H:%M")}
    people = [entry.created_by_id]
    farmer = entry.applicant.user_id if entry.applicant is not None else None
    if farmer and farmer not in people:
        people.append(farmer)
    return [(uid, "entry_review_result", values) for uid in people]


def reviewer_audience(season: Season, today: date | None = None,
                      levels: tuple[str, ...] | None = None) -> list[tuple[int, str, dict]]:
    """(user, template, values): admins of organisations with entries waiting at their level
    (of `levels`, default all), within the last `review.remind_days` days before that level's
    deadline."""
    today = today or china_today()
    days = remind_days(season)
    last = deadlines(season)
    column = {"unit": EntryReview.unit_org_id, "county": EntryReview.county_org_id, "city": EntryReview.city_org_id}
    out: dict[int, tuple[int, str, dict]] = {}
    for level, statuses in waiting_for().items():
        if levels is not None and level not in levels:
            continue
        if not last[level] - timedelta(days=days) <= today <= last[level]:
            continue
        query = select(column[level], func.count()).join(Entry, Entry.id == EntryReview.entry_id).where(
            Entry.season_id == season.id, Entry.status.in_(statuses), column[level].is_not(None))
        if level == "city":
            query = query.where((Entry.status == "county_recommended") | EntryReview.county_org_id.is_(None))
        elif level == "county":
            query = query.where(EntryReview.county_org_id.is_not(None))
        waiting = dict(db.session.execute(query.group_by(column[level])).all())
        if not waiting:
            continue
        for a in db.session.scalars(select(RoleAssignment).where(
                RoleAssignment.org_id.in_(waiting), RoleAssignment.role.in_(LEVEL_ROLE[level]))):
            if a.user_id not in out:
                out[a.user_id] = (a.user_id, "review_reminder",
                                  {"season": season.name, "waiting": str(waiting[a.org_id]),
                                   "deadline": f"{last[level].isoformat()} 23:59"})
    return list(out.values())
