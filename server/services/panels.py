"""Panels: which experts score which entry (issue 16).

Automatic assignment gives every accepted entry of a season k experts with no conflict of
interest, preferring experts whose categories and industries match, keeping loads balanced
(each pick takes the least-loaded eligible experts, so loads differ by at most one whenever
conflicts allow it); entries with the fewest eligible experts are served first. The office
adjusts by hand, sees each expert's load, and an expert who drops out is replaced.

    assign(actor, season, k) -> {"seats": n, "short": [entry ids that could not get k]}
    adjust(actor, entry, add=[expert ids], remove=[expert ids])
    loads(actor, season) -> [{"expert_id", "name", "load", "scored"}]
    drop_out(actor, expert) -> {"removed": n, "short": [...]}
"""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import delete, func, select

from ..errors import Conflict, NotFound, ValidationError
from ..db.bulk import insert_rows
from ..extensions import db
from ..models import Entry, Expert, ExpertConflict, Organisation, PanelSeat, Person, ResultRelease, Score, Season, User
from ..texts import t
from ..timeutil import utcnow
from . import policy, status
from .audit import record
from .conflicts import ConflictIndex, _area, conflict_reason
from .experts import get_expert, office

SCORABLE = ("accepted", "scored")
MAX_K = 15


def panel_size(season: Season) -> int:
    """The season's panel size (setting `panel_size`, default 3)."""
    return int(season.setting("panel_size", 3))


def require_unreleased(season_id: int) -> None:
    released = db.session.scalar(select(ResultRelease).where(ResultRelease.season_id == season_id))
    if released is not None:
        raise Conflict("scoring.errors.released", code="released")


def _entry_rows(season_id: int, entry_ids=None):
    query = (select(Entry.id, Entry.category, Entry.industry, Entry.unit_id, Entry.created_by_id,
                    Entry.agent_id, Person.user_id)
             .outerjoin(Person, Person.id == Entry.leader_id)
             .where(Entry.season_id == season_id, Entry.status.in_(SCORABLE)))
    if entry_ids is not None:
        query = query.where(Entry.id.in_(entry_ids))
    return db.session.execute(query.order_by(Entry.id)).all()


def _fill(actor: User, season: Season, targets: dict[int, int], only=None) -> dict:
    """Give each entry in `targets` ({entry id: wanted panel size}) its missing experts."""
    experts = list(db.session.scalars(select(Expert).where(Expert.active.is_(True)).order_by(Expert.id)))
    index = ConflictIndex(experts)
    seats: dict[int, set[int]] = defaultdict(set)
    loads: dict[int, int] = {e.id: 0 for e in experts}
    for entry_id, expert_id in db.session.execute(select(PanelSeat.entry_id, PanelSeat.expert_id)
                                                  .where(PanelSeat.season_id == season.id)):
        seats[entry_id].add(expert_id)
        if expert_id in loads:
            loads[expert_id] += 1
    by_unit, by_county, by_user = defaultdict(set), defaultdict(set), {}
    by_entry, by_org = defaultdict(set), defaultdict(set)
    for f in index.experts.values():
        if f.unit is not None:
            by_unit[f.unit].add(f.id)
        if f.county is not None:
            by_county[f.county].add(f.id)
        by_user[f.user_id] = f.id
        for e in f.entries:
            by_entry[e].add(f.id)
        for o in f.orgs:
            by_org[o].add(f.id)
    facts = {e.id: (set(e.categories or ()), set(e.industries or ())) for e in experts}
    everyone = set(loads)
    plans = []
    for entry_id, category, industry, unit_id, created_by, agent, leader in _entry_rows(season.id, only):
        wanted = targets.get(entry_id, 0) - len(seats[entry_id])
        if wanted <= 0:
            continue
        path = index.paths.get(unit_id, "") if unit_id else ""
        unit, county = _area(path, index.kinds)
        blocked = set(seats[entry_id]) | by_entry.get(entry_id, set())
        blocked |= by_unit.get(unit, set()) if unit is not None else set()
        blocked |= by_county.get(county, set()) if county is not None else set()
        blocked |= {by_user[u] for u in (created_by, agent, leader) if u in by_user}
        for part in path.strip("/").split("/"):
            if part and int(part) in by_org:
                blocked |= by_org[int(part)]
        blocked &= everyone
        plans.append((len(everyone) - len(blocked), entry_id, wanted, blocked, category, industry))
    plans.sort(key=lambda p: (p[0], p[1]))           # the most constrained first
    order: dict[tuple, list[int]] = {}

    def preferred(category, industry) -> list[int]:
        """Every expert, matching ones first (by id): one sort per category and industry."""
        if (category, industry) not in order:
            def mismatch(x):
                cats, inds = facts[x]
                return (bool(cats) and category not in cats) + (bool(inds) and industry not in inds), x
            order[category, industry] = sorted(everyone, key=mismatch)
        return order[category, industry]

    planned: dict[int, list[int]] = {}
    short = []
    for _, entry_id, wanted, blocked, category, industry in plans:
        # The `wanted` smallest by (load, mismatch, id): one pass groups the eligible by load,
        # each group already in (mismatch, id) order.
        by_load: dict[int, list[int]] = defaultdict(list)
        for expert_id in preferred(category, industry):
            if expert_id not in blocked:
                by_load[loads[expert_id]].append(expert_id)
        chosen: list[int] = []
        for level in sorted(by_load):
            chosen += by_load[level][:wanted - len(chosen)]
            if len(chosen) == wanted:
                break
        if len(chosen) < wanted:
            short.append(entry_id)
        for expert_id in chosen:
            loads[expert_id] += 1
        planned[entry_id] = chosen
    _level(planned, {p[1]: p[3] for p in plans}, loads)
    now, by = utcnow(), actor.id if actor else None
    new_rows = [{"season_id": season.id, "entry_id": entry_id, "expert_id": expert_id, "assigned_by_id": by,
                 "draft": {}, "created_at": now}
                for entry_id, chosen in planned.items() for expert_id in chosen]
    insert_rows(db.session, PanelSeat.__table__, new_rows)     # COPY on PostgreSQL (server/db/bulk.py)
    record(actor, "panels_assigned", "season", season.id,
           data={"seats": [[r["entry_id"], r["expert_id"]] for r in new_rows], "short": short})
    # A scored entry given more experts is scored again by them: its sheets and seats stay, it
    # goes back to accepted until the new members' sheets are in.
    touched = {r["entry_id"] for r in new_rows}
    reopened = [entry.id for entry in db.session.scalars(select(Entry).where(Entry.id.in_(touched),
                                                                             Entry.status == "scored"))
                if sync_status(actor, entry) == "accepted"]
    return {"seats": len(new_rows), "short": sorted(short), "reopened": sorted(reopened)}


def _level(planned: dict[int, list[int]], blocked_of: dict[int, set[int]], loads: dict[int, int]) -> None:
    """Greedy picks leave loads uneven where conflicts cluster (a county's experts cannot take
    its entries): move seats planned in this run from the most to the least loaded experts
    while that is allowed, until loads differ by at most one or no move is possible."""
    if not loads:
        return
    seats_of: dict[int, list[int]] = defaultdict(list)
    for entry_id, chosen in planned.items():
        for expert_id in chosen:
            seats_of[expert_id].append(entry_id)
    while True:
        low = min(loads.values())
        moved = False
        for hi in sorted(loads, key=lambda x: -loads[x]):
            if loads[hi] - low <= 1:
                break
            targets = sorted((x for x in loads if loads[x] <= loads[hi] - 2), key=lambda x: loads[x])
            for entry_id in seats_of[hi]:
                on_panel = planned[entry_id]
                lo = next((x for x in targets if x not in blocked_of[entry_id] and x not in on_panel), None)
                if lo is None:
                    continue
                on_panel[on_panel.index(hi)] = lo
                seats_of[hi].remove(entry_id)
                seats_of[lo].append(entry_id)
                loads[hi] -= 1
                loads[lo] += 1
                moved = True
                break
            if moved:
                break
        if not moved:
            return


def assign(actor: User | None, season: Season, k: int | None = None) -> dict:
    """Fill every scorable entry's panel up to k experts (actor None: the shell operator)."""
    office(actor, "panel.manage")
    require_unreleased(season.id)
    k = panel_size(season) if k is None else k
    if not 1 <= k <= MAX_K:
        raise ValidationError("scoring.errors.panel_size", code="panel_size", field="k", k=k, max=MAX_K)
    targets = {row[0]: k for row in _entry_rows(season.id)}
    result = _fill(actor, season, targets)
    db.session.commit()
    return result


def panel(entry_id: int) -> list[PanelSeat]:
    return list(db.session.scalars(select(PanelSeat).where(PanelSeat.entry_id == entry_id).order_by(PanelSeat.id)))


def complete(entry_id: int) -> bool:
    """Every panel member has a sheet in (and there is a panel)."""
    seats = select(PanelSeat.expert_id).where(PanelSeat.entry_id == entry_id)
    n_seats = db.session.scalar(select(func.count()).select_from(seats.subquery()))
    n_scored = db.session.scalar(select(func.count(Score.id)).where(
        Score.entry_id == entry_id, Score.expert_id.in_(seats)))
    return n_seats > 0 and n_scored == n_seats


def sync_status(actor: User | None, entry: Entry, action_if_complete: str = "panel_complete") -> str:
    """accepted ↔ scored as the panel's sheets are all in or not (status machine rows); actor
    None is the shell operator. Returns the entry's status."""
    done = complete(entry.id)
    if entry.status == "accepted" and done:
        status.transition(entry, action_if_complete, actor, operator=actor is None)
    elif entry.status == "scored" and not done:
        status.transition(entry, "reopen", actor, operator=actor is None)
    return entry.status


def adjust(actor: User, entry: Entry, add: list[int] = (), remove: list[int] = ()) -> list[PanelSeat]:
    """The office changes one entry's panel by hand; conflicts are refused, never overridden."""
    policy.require(actor, "panel.manage", entry)
    require_unreleased(entry.season_id)
    if entry.status not in SCORABLE:
        raise Conflict("scoring.errors.not_scorable", code="not_scorable",
                       status=t(f"catalog.statuses.{entry.status}"))
    current = {s.expert_id: s for s in panel(entry.id)}
    title = entry.title or ""
    for expert_id in remove:
        expert = get_expert(expert_id)
        if expert_id not in current:
            raise Conflict("scoring.errors.panel_member_missing", code="panel_member_missing",
                           name=expert.user.name or expert.id, title=title)
        db.session.delete(current.pop(expert_id))
        record(actor, "panel_seat_removed", "entry", entry.id, data={"expert_id": expert_id})
    for expert_id in add:
        expert = get_expert(expert_id)
        if expert_id in current:
            raise Conflict("scoring.errors.panel_member_exists", code="panel_member_exists",
                           name=expert.user.name or expert.id, title=title)
        reason = conflict_reason(expert, entry)
        if reason:
            raise Conflict("scoring.errors.panel_member_conflicted", code="conflicted",
                           name=expert.user.name or expert.id, title=title,
                           reason=t(f"scoring.conflict_reasons.{reason}"))
        current[expert_id] = PanelSeat(season_id=entry.season_id, entry_id=entry.id, expert_id=expert_id,
                                       assigned_by_id=actor.id)
        db.session.add(current[expert_id])
        record(actor, "panel_seat_added", "entry", entry.id, data={"expert_id": expert_id})
    db.session.flush()
    sync_status(actor, entry)
    db.session.commit()
    return panel(entry.id)


def loads(actor: User | None, season: Season) -> list[dict]:
    office(actor, "panel.manage")
    scored = dict(db.session.execute(select(Score.expert_id, func.count(Score.id))
                                     .join(PanelSeat, (PanelSeat.entry_id == Score.entry_id)
                                           & (PanelSeat.expert_id == Score.expert_id))
                                     .where(Score.season_id == season.id).group_by(Score.expert_id)).all())
    seats = dict(db.session.execute(select(PanelSeat.expert_id, func.count(PanelSeat.id))
                                    .where(PanelSeat.season_id == season.id).group_by(PanelSeat.expert_id)).all())
    return [{"expert_id": e.id, "name": e.user.name or "", "active": e.active, "load": seats.get(e.id, 0),
             "scored": scored.get(e.id, 0)}
            for e in db.session.scalars(select(Expert).order_by(Expert.id))]


def _remove_seats(actor: User, expert: Expert, entry_ids: list[int], why: str) -> dict[int, int]:
    """Remove the expert's seats on these entries; {season id: entries} touched."""
    rows = db.session.execute(select(PanelSeat.entry_id, PanelSeat.season_id).join(Entry, Entry.id == PanelSeat.entry_id)
                              .where(PanelSeat.expert_id == expert.id, PanelSeat.entry_id.in_(entry_ids),
                                     Entry.status.in_(SCORABLE))).all()
    if not rows:
        return {}
    db.session.execute(delete(PanelSeat).where(PanelSeat.expert_id == expert.id,
                                               PanelSeat.entry_id.in_([r[0] for r in rows])))
    for entry_id, _ in rows:
        record(actor, "panel_seat_removed", "entry", entry_id, reason=why, data={"expert_id": expert.id})
    for entry in db.session.scalars(select(Entry).where(Entry.id.in_([r[0] for r in rows]))):
        sync_status(actor, entry)
    return dict(rows)


def drop_out(actor: User, expert: Expert) -> dict:
    """The expert leaves: out of the pool, off every unreleased panel, each seat refilled."""
    policy.require(actor, "panel.manage")
    expert.active = False
    record(actor, "expert_dropped", "expert", expert.id)
    entry_ids = list(db.session.scalars(select(PanelSeat.entry_id).where(PanelSeat.expert_id == expert.id)))
    released = set(db.session.scalars(select(ResultRelease.season_id)))
    touched = {e: s for e, s in _remove_seats(actor, expert, entry_ids, "drop_out").items() if s not in released}
    db.session.flush()
    short: list[int] = []
    for season_id in sorted(set(touched.values())):
        season = db.session.get(Season, season_id)
        mine = [e for e, s in touched.items() if s == season_id]
        sizes = dict(db.session.execute(select(PanelSeat.entry_id, func.count(PanelSeat.id))
                                        .where(PanelSeat.entry_id.in_(mine)).group_by(PanelSeat.entry_id)).all())
        short += _fill(actor, season, {e: sizes.get(e, 0) + 1 for e in mine}, only=mine)["short"]
    db.session.commit()
    return {"removed": len(touched), "short": sorted(short)}


def drop_conflicted_seats(actor: User, expert: Expert) -> None:
    """After a new declared conflict: off the panels it now conflicts with (caller commits)."""
    seats = db.session.scalars(select(PanelSeat).where(PanelSeat.expert_id == expert.id)).all()
    gone = [s.entry_id for s in seats if conflict_reason(expert, db.session.get(Entry, s.entry_id))]
    if gone:
        _remove_seats(actor, expert, gone, "conflict")


def declare_conflict(actor: User, expert: Expert, *, entry_id: int | None = None, org_id: int | None = None,
                     reason: str) -> ExpertConflict:
    """The expert (about themself) or the office declares a conflict with an entry or an org."""
    if expert.user_id != actor.id:
        policy.require(actor, "expert.manage")
    else:
        policy.require(actor, "expert.declare_conflict")
    if (entry_id is None) == (org_id is None):
        raise ValidationError("scoring.errors.conflict_target", code="conflict_target", field="entry_id")
    if entry_id is not None and db.session.get(Entry, entry_id) is None:
        raise NotFound("scoring.errors.entry_unknown", code="entry_unknown", field="entry_id", id=entry_id)
    if org_id is not None and db.session.get(Organisation, org_id) is None:
        raise NotFound("errors.not_found", field="org_id")
    if not (reason or "").strip():
        raise ValidationError("scoring.errors.award_reason_required", code="reason_required", field="reason")
    row = ExpertConflict(expert_id=expert.id, entry_id=entry_id, org_id=org_id, reason=reason.strip(),
                         declared_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    record(actor, "conflict_declared", "expert", expert.id, reason=row.reason,
           data={"entry_id": entry_id, "org_id": org_id})
    drop_conflicted_seats(actor, expert)
    db.session.commit()
    return row
