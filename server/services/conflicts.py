"""Conflicts of interest between an expert and an entry (issue 16; RULES.md review discipline
公开公平公正): an expert never sees or scores an entry of their own unit or county, one they or
the office declared a conflict with, one they lead or filed. Pure reading of the models, below
the permission table (scopes.assigned asks it on every read and write).

    expert_of(user) -> Expert or None
    conflict_reason(expert, entry) -> reason code or None       (one pair)
    ConflictIndex(experts).reason(expert_id, entry_facts) -> …  (a whole season at once)
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..extensions import db
from ..models import Entry, Expert, ExpertConflict, Organisation, User

COUNTY_KINDS = ("county", "industry_union")


def expert_of(user: User | None) -> Expert | None:
    if user is None:
        return None
    return db.session.scalar(select(Expert).where(Expert.user_id == user.id))



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
