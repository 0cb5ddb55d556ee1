"""The expert pool as the city office keeps it in the console (issue 16): who may still be added
(holders of the expert role not yet in the pool), an expert's profile (own unit, categories,
industries) changed with its audit row, the conflicts declared for an expert. A changed own
unit can create conflicts: the seats it forbids are dropped at once (panels.drop_conflicted_seats).

    candidates(actor) -> [User]
    edit_expert(actor, expert, unit_id, categories, industries) -> {"dropped": n}
    conflicts_of(actor, expert) -> [{"target", "reason", "by", "at"}]
    known_industries() -> [str]       (every season's industries, in order)
"""
from __future__ import annotations

from sqlalchemy import func, select

from ..extensions import db
from ..models import Entry, Expert, ExpertConflict, Organisation, PanelSeat, RoleAssignment, Season, User
from .audit import record
from .experts import check_profile, office
from .panels import drop_conflicted_seats


def candidates(actor: User | None) -> list[User]:
    office(actor, "expert.manage")
    in_pool = select(Expert.user_id)
    holders = select(RoleAssignment.user_id).where(RoleAssignment.role == "expert")
    return list(db.session.scalars(select(User).where(User.id.in_(holders), User.id.not_in(in_pool))
                                   .order_by(User.id)))


def edit_expert(actor: User | None, expert: Expert, unit_id: int | None, categories: list[str],
                industries: list[str]) -> dict:
    office(actor, "expert.manage")
    unit_id, categories, industries = check_profile(unit_id, categories, industries)
    before = {"unit_id": expert.unit_id, "categories": list(expert.categories or []),
              "industries": list(expert.industries or [])}
    after = {"unit_id": unit_id, "categories": categories, "industries": industries}
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if not changes:
        return {"dropped": 0}
    expert.unit_id, expert.categories, expert.industries = unit_id, categories, industries
    db.session.flush()
    db.session.expire(expert, ["unit"])
    record(actor, "expert_updated", "expert", expert.id, data={"changes": changes})
    seats = _seat_count(expert)
    drop_conflicted_seats(actor, expert)
    db.session.flush()
    dropped = seats - _seat_count(expert)
    db.session.commit()
    return {"dropped": dropped}


def _seat_count(expert: Expert) -> int:
    return db.session.scalar(select(func.count(PanelSeat.id)).where(PanelSeat.expert_id == expert.id))


def conflicts_of(actor: User | None, expert: Expert) -> list[dict]:
    office(actor, "expert.manage")
    rows = db.session.execute(select(ExpertConflict, Entry.title, Organisation.name, User.name)
                              .outerjoin(Entry, Entry.id == ExpertConflict.entry_id)
                              .outerjoin(Organisation, Organisation.id == ExpertConflict.org_id)
                              .outerjoin(User, User.id == ExpertConflict.declared_by_id)
                              .where(ExpertConflict.expert_id == expert.id).order_by(ExpertConflict.id)).all()
    return [{"entry_id": c.entry_id, "entry": title, "org_id": c.org_id, "org": org, "reason": c.reason,
             "by": by, "at": c.created_at} for c, title, org, by in rows]


def known_industries() -> list[str]:
    out: dict[str, None] = {}
    for industries in db.session.scalars(select(Season.industries).order_by(Season.id.desc())):
        for name in industries or ():
            out[name] = None
    return list(out)
