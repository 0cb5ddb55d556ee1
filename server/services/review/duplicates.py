"""Duplicate flags (issue 15 item 9): an entry whose title and leader match, or nearly match,
another entry of this or an earlier season (achievement windows of consecutive seasons overlap).
Reviewers see the other entry named; they decide.

Leaders match when their names are the same person written differently, or one slip apart:
- folded alike (`name_key`): full-width and half-width forms (NFKC), traditional and simplified
  characters, case, spaces, punctuation and the middle dots of ethnic names (阿依古丽·买买提);
- or, for names of three characters or more once folded, one character different (张建国 /
  张健国). Two-character names must fold alike: 张伟 and 张玮 are as likely two people.
Titles match by similarity of their letters and digits (punctuation, spaces, case and the same
variants ignored) ≥ 0.8, or ≥ 0.9 when the names are only one character apart (weaker evidence
that it is one person). Both must match, so a common name alone flags nothing.

The work is done when an entry is routed (submission, resubmission: `index`): its leader's
keys (`LeaderKey`: the folded name and its one-character wildcards) find the candidates in one
indexed query, and the pairs found are kept (`DuplicateFlag`), so a reviewer's queue page reads
its flags in one query instead of comparing titles. `bulk_index` / `reindex_all` do the same in
bulk (the migration that brought the keys, a benchmark's bulk-loaded entries)."""
from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher
from functools import lru_cache

from hanziconv import HanziConv
from sqlalchemy import delete, insert, or_, select

from ...extensions import db
from ...models import DuplicateFlag, Entry, LeaderKey, Person, Season

NEAR = 0.8
NEAR_FOR_NEAR_NAMES = 0.9  # a one-character slip is weaker evidence: the titles must be closer
NEAR_NAME_MIN = 3          # folded length from which one different character still matches
IGNORED_STATUSES = ("draft", "withdrawn")
WILDCARD = "*"
_NOISE = re.compile(r"[\W_\u00b7\u2027\u2022\u30fb\uff65\u318d]+", re.UNICODE)


@lru_cache(maxsize=8192)
def normal(text: str | None) -> str:
    """Letters and digits only, in one width, simplified, lower case."""
    folded = unicodedata.normalize("NFKC", text or "")
    return _NOISE.sub("", HanziConv.toSimplified(folded)).lower()


def name_key(name: str | None) -> str:
    return normal(name)[:60]


@lru_cache(maxsize=8192)
def name_keys(name: str | None) -> frozenset[str]:
    """The keys a leader name is found by: its folded form, and with each character in turn
    replaced by the wildcard when it is long enough for one slip to still be the same person."""
    key = name_key(name)
    if not key:
        return frozenset()
    keys = {key}
    if len(key) >= NEAR_NAME_MIN:
        keys |= {key[:i] + WILDCARD + key[i + 1:] for i in range(len(key))}
    return frozenset(keys)


def same_leader(a: str | None, b: str | None) -> bool:
    """The pair table's rule: folded alike, or (both long enough) one substitution apart."""
    return bool(name_keys(a) & name_keys(b))


def similar(a: str | None, b: str | None, near: float = NEAR) -> bool:
    a, b = normal(a), normal(b)
    if not (a and b):
        return False
    if a == b:
        return True
    matcher = SequenceMatcher(None, a, b)
    return matcher.real_quick_ratio() >= near and matcher.quick_ratio() >= near and matcher.ratio() >= near


def _pairs(entry: tuple, others) -> list[tuple[int, int]]:
    """(flagged, other) pairs between one (id, title, leader, season start) and candidates: an
    entry is flagged against one of its own or an earlier season."""
    eid, title, leader, start = entry
    out = []
    for oid, o_title, o_leader, o_start in others:
        if oid == eid or not same_leader(leader, o_leader):
            continue
        if not similar(title, o_title, NEAR if name_key(leader) == name_key(o_leader) else NEAR_FOR_NEAR_NAMES):
            continue
        if o_start <= start:
            out.append((eid, oid))
        if start <= o_start:
            out.append((oid, eid))
    return out


def index(entry: Entry) -> None:
    """(Re)write the entry's leader keys and its duplicate pairs, both ways (its route is being
    fixed: submission, resubmission). Adds to the caller's transaction."""
    db.session.execute(delete(LeaderKey).where(LeaderKey.entry_id == entry.id))
    db.session.execute(delete(DuplicateFlag).where(or_(DuplicateFlag.entry_id == entry.id,
                                                       DuplicateFlag.other_id == entry.id)))
    name = entry.leader.name if entry.leader is not None else None
    keys = name_keys(name)
    if not keys:
        return
    db.session.add_all([LeaderKey(entry_id=entry.id, key=k) for k in sorted(keys)])
    others = db.session.execute(
        select(Entry.id, Entry.title, Person.name, Season.submit_start)
        .join(Person, Person.id == Entry.leader_id).join(Season, Season.id == Entry.season_id)
        .where(Entry.id.in_(select(LeaderKey.entry_id).where(LeaderKey.key.in_(keys))),
               Entry.id != entry.id, Entry.status.not_in(IGNORED_STATUSES))).all()
    pairs = set(_pairs((entry.id, entry.title, name, entry.season.submit_start), others))
    if pairs:
        db.session.execute(insert(DuplicateFlag), [{"entry_id": a, "other_id": b} for a, b in sorted(pairs)])


def bulk_index(rows: list[tuple]) -> tuple[list[dict], list[dict]]:
    """Keys and pairs of many (id, title, leader, season start) at once: ([{entry_id, key}],
    [{entry_id, other_id}]) — for the migration that brought them and bulk-loaded entries."""
    by_key: dict[str, list] = {}
    keys = []
    for row in rows:
        for key in name_keys(row[2]):
            by_key.setdefault(key, []).append(row)
            keys.append({"entry_id": row[0], "key": key})
    pairs = set()
    for row in rows:
        candidates = {o[0]: o for key in name_keys(row[2]) for o in by_key.get(key, ())}
        pairs.update(_pairs(row, candidates.values()))
    return keys, [{"entry_id": a, "other_id": b} for a, b in sorted(pairs)]


def reindex_all() -> int:
    """Keys and pairs for every submitted entry, afresh (bulk); returns the pairs found."""
    rows = db.session.execute(
        select(Entry.id, Entry.title, Person.name, Season.submit_start)
        .join(Person, Person.id == Entry.leader_id).join(Season, Season.id == Entry.season_id)
        .where(Entry.status.not_in(IGNORED_STATUSES))).all()
    db.session.execute(delete(LeaderKey))
    db.session.execute(delete(DuplicateFlag))
    keys, pairs = bulk_index([tuple(r) for r in rows])
    for table, values in ((LeaderKey, keys), (DuplicateFlag, pairs)):
        for start in range(0, len(values), 5000):
            db.session.execute(insert(table), values[start:start + 5000])
    return len(pairs)


def flags(entries: list[Entry]) -> dict[int, list[dict]]:
    """{entry id: [{"id", "title", "leader", "season", "status"}]} for the given entries (one query)."""
    ids = [e.id for e in entries]
    if not ids:
        return {}
    rows = db.session.execute(
        select(DuplicateFlag.entry_id, Entry.id, Entry.title, Person.name, Season.name, Entry.status)
        .join(Entry, Entry.id == DuplicateFlag.other_id).outerjoin(Person, Person.id == Entry.leader_id)
        .join(Season, Season.id == Entry.season_id)
        .where(DuplicateFlag.entry_id.in_(ids), Entry.status.not_in(IGNORED_STATUSES))
        .order_by(DuplicateFlag.entry_id, Entry.id)).all()
    out: dict[int, list[dict]] = {}
    for eid, other_id, title, leader, season, st in rows:
        out.setdefault(eid, []).append({"id": other_id, "title": title, "leader": leader, "season": season,
                                        "status": st})
    return out
