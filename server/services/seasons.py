"""Which season is current, and what phase it is in (China-time calendar)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ..errors import NotFound
from ..extensions import db
from ..models import Season
from ..timeutil import utcnow


def current_season(now: datetime | None = None) -> Season | None:
    """The season whose calendar contains now; otherwise the one that started last."""
    now = now or utcnow()
    seasons = db.session.scalars(select(Season).order_by(Season.organise_start.desc())).all()
    for season in seasons:
        if season.phase_at(now):
            return season
    started = [s for s in seasons if s.phase_bounds_utc("organise")[0] <= now]
    return started[0] if started else (seasons[-1] if seasons else None)


def get_season(season_id: int) -> Season:
    season = db.session.get(Season, season_id)
    if season is None:
        raise NotFound("errors.season_not_found", code="season_not_found", season_id=season_id)
    return season
