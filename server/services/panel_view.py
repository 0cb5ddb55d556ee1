"""What the city office reads about a season's panels (issue 16, console): every scorable
entry with its panel (who, scored or not) and whether it is short of k; one entry's panel with
the experts who could be added, each with the conflict that forbids them (the office may try
anyway: panels.adjust refuses and names the reason).

    overview(actor, season) -> {"k", "entries": [...], "short": n}
    entry_panel(actor, entry) -> {"seats": [...], "choices": [...]}
"""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from ..extensions import db
from ..models import Entry, Expert, Organisation, PanelSeat, Score, Season, User
from ..texts import t
from . import policy
from .conflicts import conflict_reason
from .experts import office
from .panels import SCORABLE, panel_size


def seasons(actor: User | None) -> list[Season]:
    """The seasons whose panels the office can look at, newest first."""
    office(actor, "panel.manage")
    return list(db.session.scalars(select(Season).order_by(Season.id.desc())))


def overview(actor: User | None, season: Season) -> dict:
    office(actor, "panel.manage")
    k = panel_size(season)
    entries = db.session.execute(select(Entry.id, Entry.title, Entry.category, Entry.status, Organisation.name)
                                 .outerjoin(Organisation, Organisation.id == Entry.unit_id)
                                 .where(Entry.season_id == season.id, Entry.status.in_(SCORABLE))
                                 .order_by(Entry.id)).all()
    seats: dict[int, list[dict]] = defaultdict(list)
    scored = set(db.session.execute(select(Score.entry_id, Score.expert_id).where(Score.season_id == season.id)).all())
    for entry_id, expert_id, name in db.session.execute(
            select(PanelSeat.entry_id, PanelSeat.expert_id, User.name).join(Expert, Expert.id == PanelSeat.expert_id)
            .join(User, User.id == Expert.user_id).where(PanelSeat.season_id == season.id).order_by(PanelSeat.id)):
        seats[entry_id].append({"expert_id": expert_id, "name": name or str(expert_id),
                                "scored": (entry_id, expert_id) in scored})
    rows = [{"id": i, "title": title, "category": category, "status": status, "unit": unit,
             "seats": seats[i], "short": len(seats[i]) < k} for i, title, category, status, unit in entries]
    return {"k": k, "entries": rows, "short": sum(r["short"] for r in rows)}


def entry_panel(actor: User, entry: Entry) -> dict:
    policy.require(actor, "panel.manage", entry)
    scored = set(db.session.scalars(select(Score.expert_id).where(Score.entry_id == entry.id)))
    on_panel = []
    for seat in db.session.scalars(select(PanelSeat).where(PanelSeat.entry_id == entry.id).order_by(PanelSeat.id)):
        expert = db.session.get(Expert, seat.expert_id)
        on_panel.append({"expert_id": expert.id, "name": expert.user.name or str(expert.id),
                         "unit": expert.unit.name if expert.unit else None, "scored": expert.id in scored})
    taken = {s["expert_id"] for s in on_panel}
    choices = []
    for expert in db.session.scalars(select(Expert).where(Expert.active.is_(True)).order_by(Expert.id)):
        if expert.id in taken:
            continue
        reason = conflict_reason(expert, entry)
        choices.append({"expert_id": expert.id, "name": expert.user.name or str(expert.id),
                        "conflict": t(f"scoring.conflict_reasons.{reason}") if reason else None})
    return {"seats": on_panel, "choices": choices, "k": panel_size(entry.season)}
