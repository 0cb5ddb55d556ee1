"""Duplicate flags (issue 15 item 9): an entry whose title and leader match, or nearly match,
another entry of this or an earlier season (achievement windows of consecutive seasons overlap).
Reviewers see the other entry named; they decide. Leaders match by name (spaces ignored);
titles by similarity of their letters and digits (punctuation, spaces, case ignored) ≥ 0.8."""
from __future__ import annotations

import re
from difflib import SequenceMatcher

from sqlalchemy import select

from ...extensions import db
from ...models import Entry, Person, Season

NEAR = 0.8
IGNORED_STATUSES = ("draft", "withdrawn")
_NOISE = re.compile(r"[\W_]+", re.UNICODE)


def normal(text: str | None) -> str:
    return _NOISE.sub("", (text or "")).lower()


def similar(a: str | None, b: str | None) -> bool:
    a, b = normal(a), normal(b)
    return bool(a and b) and (a == b or SequenceMatcher(None, a, b).ratio() >= NEAR)


def flags(entries: list[Entry]) -> dict[int, list[dict]]:
    """{entry id: [{"id", "title", "leader", "season", "status"}]} for the given entries (one query)."""
    names = {e.id: normal(e.leader.name) for e in entries if e.leader is not None and e.leader.name}
    if not names:
        return {}
    raw = {e.leader.name for e in entries if e.leader is not None and e.leader.name}
    raw |= {n.replace(" ", "") for n in raw}
    rows = db.session.execute(
        select(Entry.id, Entry.title, Person.name, Season.name, Entry.status, Season.submit_start)
        .join(Person, Person.id == Entry.leader_id).join(Season, Season.id == Entry.season_id)
        .where(Person.name.in_(raw), Entry.status.not_in(IGNORED_STATUSES))).all()
    by_leader: dict[str, list[tuple]] = {}
    for row in rows:
        by_leader.setdefault(normal(row[2]), []).append(row)
    out: dict[int, list[dict]] = {}
    for e in entries:
        if e.id not in names:
            continue
        for other_id, title, leader, season, st, start in by_leader.get(names[e.id], []):
            if other_id == e.id or start > e.season.submit_start:
                continue
            if similar(e.title, title):
                out.setdefault(e.id, []).append({"id": other_id, "title": title, "leader": leader,
                                                 "season": season, "status": st})
    return out
