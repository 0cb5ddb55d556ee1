"""Duplicate flags (issue 15 item 9): an entry whose title and leader match, or nearly match,
another entry of this or an earlier season (achievement windows of consecutive seasons overlap).
Reviewers see the other entry named; they decide.

Leaders match when their names are the same person written differently, or one slip apart:
- folded alike (`name_key`): full-width and half-width forms (NFKC), traditional and simplified
  characters, case, spaces, punctuation and the middle dots of ethnic names (阿依古丽·买买提);
- or, for names of three characters or more once folded, one character different (张建国 /
  张健国). Two-character names must fold alike: 张伟 and 张玮 are as likely two people.
Titles match by similarity of their letters and digits (punctuation, spaces, case and the same
variants ignored) ≥ 0.8. Both must match, so a common name alone flags nothing.

Candidates are found by the keys of `LeaderKey` (written when an entry is routed) or, for
entries routed before those keys existed, by the exact name."""
from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher
from functools import lru_cache

from hanziconv import HanziConv
from sqlalchemy import delete, or_, select

from ...extensions import db
from ...models import Entry, LeaderKey, Person, Season

NEAR = 0.8
NEAR_NAME_MIN = 3          # folded length from which one different character still matches
IGNORED_STATUSES = ("draft", "withdrawn")
WILDCARD = "*"
_NOISE = re.compile(r"[\W_\u00b7\u2027\u2022\u30fb\uff65\u318d]+", re.UNICODE)


def normal(text: str | None) -> str:
    """Letters and digits only, in one width, simplified, lower case."""
    folded = unicodedata.normalize("NFKC", text or "")
    return _NOISE.sub("", HanziConv.toSimplified(folded)).lower()


def name_key(name: str | None) -> str:
    return normal(name)[:60]


@lru_cache(maxsize=4096)
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
    return bool(name_keys(a) & name_keys(b)) if name_key(a) and name_key(b) else False


def similar(a: str | None, b: str | None) -> bool:
    a, b = normal(a), normal(b)
    return bool(a and b) and (a == b or SequenceMatcher(None, a, b).ratio() >= NEAR)


def index(entry: Entry) -> None:
    """(Re)write the entry's leader keys (its route is being fixed: submission, resubmission)."""
    db.session.execute(delete(LeaderKey).where(LeaderKey.entry_id == entry.id))
    name = entry.leader.name if entry.leader is not None else None
    db.session.add_all([LeaderKey(entry_id=entry.id, key=k) for k in sorted(name_keys(name))])


def flags(entries: list[Entry]) -> dict[int, list[dict]]:
    """{entry id: [{"id", "title", "leader", "season", "status"}]} for the given entries (one query)."""
    names = {e.id: e.leader.name for e in entries if e.leader is not None and name_key(e.leader.name)}
    if not names:
        return {}
    raw = set(names.values()) | {n.replace(" ", "") for n in names.values()}
    keys = set().union(*(name_keys(n) for n in names.values()))
    rows = db.session.execute(
        select(Entry.id, Entry.title, Person.name, Season.name, Entry.status, Season.submit_start)
        .join(Person, Person.id == Entry.leader_id).join(Season, Season.id == Entry.season_id)
        .where(or_(Person.name.in_(raw), Entry.id.in_(select(LeaderKey.entry_id).where(LeaderKey.key.in_(keys)))),
               Entry.status.not_in(IGNORED_STATUSES))).all()
    by_key: dict[str, list[tuple]] = {}
    for row in rows:
        for key in name_keys(row[2]):
            by_key.setdefault(key, []).append(row)
    out: dict[int, list[dict]] = {}
    for e in entries:
        if e.id not in names:
            continue
        candidates = {row[0]: row for key in name_keys(names[e.id]) for row in by_key.get(key, ())}
        for other_id, title, leader, season, st, start in sorted(candidates.values()):
            if other_id == e.id or start > e.season.submit_start:
                continue
            if similar(e.title, title):
                out.setdefault(e.id, []).append({"id": other_id, "title": title, "leader": leader,
                                                 "season": season, "status": st})
    return out
