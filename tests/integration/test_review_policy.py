"""Every role against every review act, on entries inside and outside its subtree, at each
level of the chain (issue 15). The expectations are written out by hand: who succeeds; every
other attempt is refused in Chinese and changes nothing (status, audit trail, outbox)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from server.extensions import db
from server.models import AuditEvent, Entry, OutboxEvent
from server.services.review import actions

from ..factories import make_entry, make_farmer_entry, make_review_world

ROLES = ("unit_cq", "unit_zz", "unit_iu", "county_cq", "county_zz", "iu", "league", "city", "agent",
         "p_cq", "nobody")
# Entry kinds: (filer, status) — cq/zz: units under 城区/泽州县; iu: under the industry union;
# direct: a unit directly under the city, without an admin; college: a youth-league unit of 城区
# (its county level is 团区委); farm: filed by the e-station agent who is also the station's only
# admin — the agent never reviews it, so 泽州县 acts at the unit level.
ENTRIES = {
    "cq_sub": ("p_cq", "submitted"), "cq_unitrec": ("p_cq", "unit_recommended"),
    "cq_countyrec": ("p_cq", "county_recommended"), "zz_sub": ("p_zz", "submitted"),
    "zz_unitrec": ("p_zz", "unit_recommended"), "iu_unitrec": ("p_iu", "unit_recommended"),
    "direct_sub": ("p_direct", "submitted"), "direct_unitrec": ("p_direct", "unit_recommended"),
    "college_unitrec": ("p_college", "unit_recommended"), "farm_sub": ("agent", "submitted"),
    "cq_withdrawn": ("p_cq", "withdrawn"), "cq_accepted": ("p_cq", "accepted"),
}
PASS_ON = {"cq_sub": {"unit_cq"}, "cq_unitrec": {"county_cq"}, "zz_sub": {"unit_zz"},
           "zz_unitrec": {"county_zz"}, "iu_unitrec": {"iu"}, "direct_sub": {"city"},
           "college_unitrec": {"league"}, "farm_sub": {"county_zz"}}
CITY = {"cq_countyrec": {"city"}, "direct_unitrec": {"city"}}
UNIT_LEVEL = {"cq_sub": {"unit_cq"}, "zz_sub": {"unit_zz"}, "direct_sub": {"city"}, "farm_sub": {"county_zz"}}
EXPECTED = {
    "recommend": PASS_ON,
    "accept": CITY,
    "return": {**PASS_ON, **CITY},
    "not_recommend": {**PASS_ON, **CITY},
    "ineligible": {**PASS_ON, **CITY},
    "not_ours": UNIT_LEVEL,
    "confirm": UNIT_LEVEL,
}


def _make(world, key: str) -> Entry:
    filer, status = ENTRIES[key]
    if filer == "agent":
        return make_farmer_entry(world, status=status)
    user = world.users[filer]
    return make_entry(user, status=status, season=world.season)


def _counts(entry_id: int) -> tuple[int, int]:
    audits = db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.object_id == entry_id))
    events = db.session.scalar(select(func.count()).select_from(OutboxEvent))
    return audits, events


@pytest.mark.parametrize("action", list(EXPECTED))
@pytest.mark.parametrize("key", list(ENTRIES))
def test_every_role_against_every_review_act(ctx, action, key):
    world = make_review_world()
    db.session.commit()
    succeeded = set()
    for role in ROLES:
        entry = _make(world, key)
        db.session.commit()
        before_status, before = entry.status, _counts(entry.id)
        [result] = actions.act(world.users[role], action, [entry.id], reason="理由", rule="funded_project")
        db.session.expire_all()
        if result["ok"]:
            succeeded.add(role)
            assert _counts(entry.id)[0] == before[0] + 1
        else:
            error = result["error"]
            assert error["code"] in ("review_not_allowed", "wrong_status", "entry_not_found", "not_yours"), error
            assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"])
            assert db.session.get(Entry, entry.id).status == before_status and _counts(entry.id) == before
    assert succeeded == EXPECTED[action].get(key, set()), (action, key)
