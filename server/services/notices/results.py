"""What the results tell people (issue 16): each entry's released award, the season's release
(which queues its certificates), and the office's answer to an objection in the publicity period."""
from __future__ import annotations

from ...extensions import db
from ...models import Entry, Objection
from ...texts import lookup
from ...timeutil import to_china
from ..certificates.issue import enqueue_season


def entry_decided(payload: dict) -> list[tuple[int, str, dict]]:
    """payload {"entry_id"}: the released result of one entry, to whoever filed it (the e-station
    agent for a farmer) and to its leader, each once."""
    entry = db.session.get(Entry, payload["entry_id"])
    if entry is None or entry.status != "decided":
        return []
    award = lookup(f"catalog.awards.{entry.award}") if entry.award else lookup("scoring.no_award")
    values = {"title": entry.title or lookup("subscribe.untitled"), "award": award, "season": entry.season.name}
    leader = entry.leader.user_id if entry.leader is not None else None
    people = dict.fromkeys(u for u in (entry.created_by_id, entry.agent_id, leader) if u is not None)
    return [(user_id, "result_released", values) for user_id in people]


def results_released(payload: dict) -> list[tuple[int, str, dict]]:
    """payload {"season_id"}: no message of its own (each entry's `entry_decided` event tells its
    people); queue the season's certificates, whose own certificate_issued events tell the holders."""
    enqueue_season(payload["season_id"])
    return []


def objection_answered(payload: dict) -> list[tuple[int, str, dict]]:
    """payload {"objection_id"}: its filer hears once (the answer's start; the whole answer is in
    the mini-program)."""
    row = db.session.get(Objection, payload["objection_id"])
    if row is None or row.answered_at is None or row.filed_by_id is None:
        return []
    entry = db.session.get(Entry, row.entry_id)
    values = {"title": (entry.title if entry else "") or lookup("subscribe.untitled"), "answer": row.answer,
              "at": to_china(row.answered_at).strftime("%Y-%m-%d %H:%M")}
    return [(row.filed_by_id, "objection_answered", values)]
