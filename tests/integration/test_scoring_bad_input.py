"""Every kind of bad scoring or result input is refused clearly (code, Chinese message, field)
and changes nothing: no sheet, no audit row, no status, no release."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from server.extensions import db
from server.models import AuditEvent, AwardDecision, Entry, Expert, OutboxEvent, PanelSeat, ResultRelease, Score
from server.services import panels
from server.timeutil import china_today
from tests.helpers import auth_header, login

from .scoring_world import build, sheet_for


def snapshot():
    db.session.expire_all()
    return (db.session.execute(select(Score.entry_id, Score.expert_id, Score.total, Score.revision)
                               .order_by(Score.id)).all(),
            db.session.scalar(select(func.count()).select_from(AuditEvent)),
            db.session.execute(select(Entry.id, Entry.status, Entry.award).order_by(Entry.id)).all(),
            db.session.scalar(select(func.count()).select_from(ResultRelease)),
            db.session.scalar(select(func.count()).select_from(AwardDecision)),
            db.session.scalar(select(func.count()).select_from(OutboxEvent)))


@pytest.fixture()
def world(client, ctx):
    w = build(n_entries=6, n_experts=5)
    panels.assign(w.admin, w.season, 3)
    seats = db.session.execute(select(PanelSeat.entry_id, PanelSeat.expert_id)).all()
    w.other["seats"] = seats
    return w


def _seat_of(w, j):
    """An entry on expert j's panel, and one not on it."""
    x = w.experts[j].id
    mine = [e for e, ex in w.other["seats"] if ex == x]
    others = [e.id for e in w.entries if e.id not in mine]
    return mine[0], others[0]


def _with(criterion, **changes):
    sheet = sheet_for(80)
    sheet[criterion] = {**sheet[criterion], **changes}
    return sheet


CASES = [   # (what, expert index or "admin"/"county"/"filer", body maker, status, code, field)
    ("points above the band", 2, lambda: _with("innovation", band="creative", points=15), 400, "points_out_of_band",
     "criteria.innovation.points"),
    ("points below the band", 2, lambda: _with("technology", band="leading", points=19), 400, "points_out_of_band",
     "criteria.technology.points"),
    ("a band of another criterion", 2, lambda: _with("effect", band="original"), 400, "wrong_band", "criteria.effect.band"),
    ("the wrong benefit kind", 2, lambda: _with("benefit", band="social_good", points=12), 400, "wrong_benefit_kind",
     "criteria.benefit.band"),
    ("half a point", 2, lambda: _with("effect", points=12.5), 400, "points_not_whole", "criteria.effect.points"),
    ("a criterion missing", 2, lambda: {k: v for k, v in sheet_for(80).items() if k != "benefit"}, 400,
     "criterion_missing", "criteria.benefit"),
    ("an invented criterion", 2, lambda: {**sheet_for(80), "beauty": {"band": "x", "points": 1}}, 400,
     "unknown_criterion", "criteria.beauty"),
    ("not a sheet", 2, lambda: "90", 400, "invalid_field", "criteria"),
]


@pytest.mark.parametrize("what,who,body,status,code,field", CASES, ids=[c[0] for c in CASES])
def test_bad_sheets(client, world, what, who, body, status, code, field):
    entry_id, _ = _seat_of(world, who)
    headers = auth_header(login(client, f"expert-{who}")["token"])
    before = snapshot()
    res = client.put(f"/api/v1/entries/{entry_id}/score", json={"criteria": body()}, headers=headers)
    err = res.get_json()["error"]
    assert res.status_code == status and err["code"] == code, err
    if field:
        assert err["field"] == field
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err["message"])
    assert snapshot() == before


def test_unassigned_conflicted_unknown_and_non_experts_are_refused(client, world):
    w = world
    mine, not_mine = _seat_of(w, 2)
    expert = auth_header(login(client, "expert-2")["token"])
    before = snapshot()
    res = client.put(f"/api/v1/entries/{not_mine}/score", json={"criteria": sheet_for(80)}, headers=expert)
    assert res.status_code == 403 and res.get_json()["error"]["code"] == "not_assigned"
    res = client.put("/api/v1/entries/99999/score", json={"criteria": sheet_for(80)}, headers=expert)
    assert res.status_code == 404
    filer = auth_header(login(client, "filer-0")["token"])
    res = client.put(f"/api/v1/entries/{mine}/score", json={"criteria": sheet_for(80)}, headers=filer)
    assert res.status_code == 403 and res.get_json()["error"]["code"] == "not_expert"
    assert snapshot() == before

    # A conflict that arises after assignment (the expert moved to the entry's unit) closes
    # the entry at once, for reading and writing, although the seat is still there.
    entry = db.session.get(Entry, mine)
    db.session.get(Expert, w.experts[2].id).unit_id = entry.unit_id
    db.session.commit()
    before = snapshot()
    res = client.put(f"/api/v1/entries/{mine}/score", json={"criteria": sheet_for(80)}, headers=expert)
    assert res.status_code == 403 and res.get_json()["error"]["code"] == "conflicted"
    assert "本单位" in res.get_json()["error"]["message"]
    assert client.get(f"/api/v1/entries/{mine}", headers=expert).status_code in (403, 404)
    assert client.get(f"/api/v1/entries/{mine}/scores", headers=expert).status_code == 403
    listed = client.get("/api/v1/expert/assignments", headers=expert).get_json()["entries"]
    assert mine not in [e["id"] for e in listed]
    assert snapshot() == before


def test_after_the_review_phase_nothing_is_scored(client, world):
    w = world
    mine, _ = _seat_of(w, 3)
    w.season.review_end = china_today() - timedelta(days=1)
    db.session.commit()
    before = snapshot()
    res = client.put(f"/api/v1/entries/{mine}/score", json={"criteria": sheet_for(80)},
                     headers=auth_header(login(client, "expert-3")["token"]))
    assert res.status_code == 409 and res.get_json()["error"]["code"] == "scoring_closed"
    assert snapshot() == before


def test_decisions_and_release_refused_until_scored_and_only_for_the_city(client, world):
    w = world
    admin = auth_header(login(client, "city-admin")["token"])
    county = auth_header(login(client, "county-admin")["token"])
    entry_id = w.entries[0].id
    before = snapshot()
    for headers, body, status, code in (
            (admin, {"award": "special", "reason": "突出"}, 409, "not_scored"),
            (admin, {"award": "first", "reason": "突出"}, 400, "award_not_allowed"),
            (admin, {"award": "special", "reason": "   "}, 400, None),
            (county, {"award": "special", "reason": "突出"}, 403, "city_admin_only")):
        res = client.post(f"/api/v1/admin/entries/{entry_id}/award", json=body, headers=headers)
        assert res.status_code == status, res.get_json()
        if code:
            assert res.get_json()["error"]["code"] == code
    res = client.post(f"/api/v1/admin/seasons/{w.season.id}/release", headers=county)
    assert res.status_code == 403
    res = client.post(f"/api/v1/admin/seasons/{w.season.id}/release", headers=admin)
    assert res.status_code == 409 and res.get_json()["error"]["code"] == "release_incomplete"
    assert "还有 6 项" in res.get_json()["error"]["message"]
    assert snapshot() == before


def test_all_but_one_sheet_in_the_release_is_refused_whole(client, world):
    w = world
    seats = w.other["seats"]
    last = seats[-1]
    for entry_id, expert_id in seats[:-1]:
        user = db.session.get(Expert, expert_id).user
        from server.services import scoring
        scoring.submit(user, entry_id, sheet_for(88), None)
    admin = auth_header(login(client, "city-admin")["token"])
    before = snapshot()
    res = client.post(f"/api/v1/admin/seasons/{w.season.id}/release", headers=admin)
    assert res.status_code == 409 and res.get_json()["error"]["code"] == "release_incomplete"
    assert snapshot() == before
    assert db.session.get(Entry, last[0]).status == "accepted"
