"""Quotas (issue 15 item 4): how many entries a level's organisation may pass on.

Season setting `review.quotas` = {"unit": {"total": 3, "equipment": 1}, "county": {"total": 10},
"city": {...}}: per level, a total and optionally a number per category (项目类型). A missing
level or key means no limit. Counted over entries the organisation has passed on this season
(whatever happened to them later, except withdrawn or returned ones)."""
from __future__ import annotations

from sqlalchemy import func, select

from ...errors import Conflict, ValidationError
from ...extensions import db
from ...models import Entry, EntryReview
from ...texts import t

PASSED = {"unit": ("unit_recommended", "county_recommended", "accepted", "scored", "decided"),
          "county": ("county_recommended", "accepted", "scored", "decided"),
          "city": ("accepted", "scored", "decided")}
COLUMN = {"unit": EntryReview.unit_org_id, "county": EntryReview.county_org_id, "city": EntryReview.city_org_id}


def limits(season, level: str) -> dict:
    return dict((season.setting("review.quotas", {}) or {}).get(level) or {})


def check_setting(season) -> None:
    for level, spec in (season.setting("review.quotas", {}) or {}).items():
        if level not in PASSED or not isinstance(spec, dict) or any(
                not isinstance(n, int) or isinstance(n, bool) or n < 0 for n in spec.values()):
            raise ValidationError("review.errors.quota_setting", code="season_quotas", field=str(level)[:20])


def used(season_id: int, level: str, org_id: int, category: str | None = None) -> int:
    query = select(func.count()).select_from(EntryReview).join(Entry, Entry.id == EntryReview.entry_id).where(
        Entry.season_id == season_id, COLUMN[level] == org_id, Entry.status.in_(PASSED[level]))
    if category is not None:
        query = query.where(Entry.category == category)
    return db.session.scalar(query)


def require_room(entry: Entry, level: str, org_id: int) -> None:
    """Refuse (409, used and allowed numbers) a recommendation over the level's quota."""
    spec = limits(entry.season, level)
    checks = [("total", None)] + ([(entry.category, entry.category)] if entry.category in spec else [])
    for key, category in checks:
        if key not in spec:
            continue
        count = used(entry.season_id, level, org_id, category)
        if count >= spec[key]:
            scope = t(f"catalog.categories.{category}") if category else t("review.quota_all")
            raise Conflict("review.errors.over_quota", code="over_quota", level=t(f"review.levels.{level}"),
                           scope=scope, used=count, allowed=spec[key])
