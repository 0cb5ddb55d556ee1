"""The expert pool and conflicts of interest (issue 16).

An expert never sees or scores an entry of their own unit or county, one they or the office
declared a conflict with, one they lead or filed. `conflict_reason` answers that for one pair
(every read and write asks it, through scopes.assigned and the scoring service); `ConflictIndex`
answers it for a whole season at once (panel assignment, thousands of pairs).

    add_expert(actor, user_id, unit_id, categories, industries) -> Expert
    declare_conflict(actor, expert, entry_id=None, org_id=None, reason) -> ExpertConflict
    conflict_reason(expert, entry) -> reason code or None
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..errors import Conflict, NotFound, ValidationError
from ..extensions import db
from ..models import Entry, Expert, ExpertConflict, Organisation, User
from ..models.entry import CATEGORIES
from . import policy
from .audit import record

COUNTY_KINDS = ("county", "industry_union")


def expert_of(user: User | None) -> Expert | None:
    if user is None:
        return None
    return db.session.scalar(select(Expert).where(Expert.user_id == user.id))


def get_expert(expert_id: int) -> Expert:
    expert = db.session.get(Expert, expert_id)
    if expert is None:
        raise NotFound("scoring.errors.expert_unknown", code="expert_unknown", id=expert_id)
    return expert


def office(actor: User | None, action: str, obj=None) -> None:
    """The city office's permission; actor None is the shell operator (flask commands)."""
    if actor is not None:
        policy.require(actor, action, obj)


def list_experts(actor: User | None) -> list[Expert]:
    office(actor, "expert.manage")
    return list(db.session.scalars(select(Expert).order_by(Expert.id)))


def add_expert(actor: User | None, user_id: int, unit_id: int | None = None, categories: list[str] = (),
               industries: list[str] = ()) -> Expert:
    """Put a user in the pool (the office). The expert role itself is held on the city."""
    office(actor, "expert.manage")
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("scoring.errors.user_unknown", code="user_unknown", id=user_id)
    if expert_of(user) is not None:
        raise Conflict("scoring.errors.expert_exists", code="expert_exists")
    bad = [c for c in categories if c not in CATEGORIES]
    if bad:
        raise ValidationError("errors.invalid", field="categories")
    if unit_id is not None and db.session.get(Organisation, unit_id) is None:
        raise NotFound("errors.not_found", field="unit_id")
    expert = Expert(user_id=user.id, unit_id=unit_id, categories=list(categories), industries=list(industries))
    db.session.add(expert)
    db.session.flush()
    record(actor, "expert_added", "expert", expert.id,
           data={"user_id": user.id, "unit_id": unit_id, "categories": list(categories), "industries": list(industries)})
    db.session.commit()
    return expert


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
    from .panels import drop_conflicted_seats
    drop_conflicted_seats(actor, expert)
    db.session.commit()
    return row


# -- the rule -------------------------------------------------------------------------------
def _area(path: str, kinds: dict[int, str]) -> tuple[int | None, int | None]:
    """(unit id, county id) of an organisation path: the deepest ancestor of each kind."""
    unit = county = None
    for part in path.strip("/").split("/"):
        if not part:
            continue
        oid = int(part)
        kind = kinds.get(oid)
        if kind == "unit":
            unit = oid
        elif kind in COUNTY_KINDS:
            county = oid
    return unit, county


@dataclass
class _ExpertFacts:
    id: int
    user_id: int
    unit: int | None
    county: int | None
    entries: frozenset
    orgs: frozenset


@dataclass
class EntryFacts:
    id: int
    path: str
    people: frozenset      # user ids of the filer, the agent, the leader


class ConflictIndex:
    """Every expert's conflict facts, loaded once (organisation kinds, declared conflicts)."""

    def __init__(self, experts: list[Expert], org_ids: set[int] | None = None):
        """org_ids: only these organisations matter (one pair's paths); None loads them all."""
        query = select(Organisation.id, Organisation.kind, Organisation.path)
        if org_ids is not None:
            query = query.where(Organisation.id.in_(org_ids or {0}))
        rows = db.session.execute(query).all()
        self.kinds = {oid: kind for oid, kind, _ in rows}
        self.paths = {oid: path for oid, _, path in rows}
        declared: dict[int, tuple[set, set]] = {e.id: (set(), set()) for e in experts}
        ids = [e.id for e in experts]
        for expert_id, entry_id, org_id in db.session.execute(
                select(ExpertConflict.expert_id, ExpertConflict.entry_id, ExpertConflict.org_id)
                .where(ExpertConflict.expert_id.in_(ids))) if ids else ():
            (declared[expert_id][0] if entry_id else declared[expert_id][1]).add(entry_id or org_id)
        self.experts = {}
        for e in experts:
            unit, county = _area(self.paths.get(e.unit_id, ""), self.kinds) if e.unit_id else (None, None)
            self.experts[e.id] = _ExpertFacts(e.id, e.user_id, unit, county,
                                              frozenset(declared[e.id][0]), frozenset(declared[e.id][1]))

    def entry_facts(self, entry_id: int, unit_id: int | None, people) -> EntryFacts:
        return EntryFacts(entry_id, self.paths.get(unit_id, "") if unit_id else "",
                          frozenset(p for p in people if p is not None))

    def reason(self, expert_id: int, entry: EntryFacts, area: tuple | None = None) -> str | None:
        f = self.experts[expert_id]
        if f.user_id in entry.people:
            return "leader"
        unit, county = area if area is not None else _area(entry.path, self.kinds)
        if f.unit is not None and f.unit == unit:
            return "own_unit"
        if f.county is not None and f.county == county:
            return "own_county"
        if entry.id in f.entries:
            return "declared"
        if f.orgs and any(f"/{o}/" in entry.path for o in f.orgs):
            return "declared"
        return None


def entry_people(entry: Entry) -> tuple:
    leader = entry.leader.user_id if entry.leader is not None else None
    return entry.created_by_id, entry.agent_id, leader


def conflict_reason(expert: Expert, entry: Entry) -> str | None:
    """Why the expert may not see or score the entry, or None."""
    ids: set[int] = set()
    for org_id in (expert.unit_id, entry.unit_id):
        org = db.session.get(Organisation, org_id) if org_id else None
        if org is not None:
            ids.update(org.ancestor_ids())
    index = ConflictIndex([expert], ids)
    return index.reason(expert.id, index.entry_facts(entry.id, entry.unit_id, entry_people(entry)))
