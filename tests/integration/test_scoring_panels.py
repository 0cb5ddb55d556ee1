"""Panels by hand and after a drop-out, conflicts declared later, blind review, the expert pool
through the API and the flask command."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from server.extensions import db
from server.models import AuditEvent, Entry, Expert, PanelSeat, Person
from server.services import panels, scoring
from tests.helpers import auth_header, login

from .scoring_world import build, sheet_for


def seats():
    db.session.expire_all()
    return db.session.execute(select(PanelSeat.entry_id, PanelSeat.expert_id).order_by(PanelSeat.id)).all()


def test_drop_out_refills_every_panel_without_conflicts(client, ctx):
    w = build(n_entries=12, n_experts=6)
    panels.assign(w.admin, w.season, 3)
    leaving = w.experts[3]
    theirs = [e for e, x in seats() if x == leaving.id]
    # Leaving after scoring one entry: that sheet no longer counts.
    scoring.submit(leaving.user, theirs[0], sheet_for(90), None)
    admin = auth_header(login(client, "city-admin")["token"])
    res = client.post(f"/api/v1/admin/experts/{leaving.id}/drop", headers=admin)
    assert res.status_code == 200 and res.get_json()["detail"] == {"removed": len(theirs), "short": []}
    now = seats()
    assert all(x != leaving.id for _, x in now)
    assert Counter(e for e, _ in now) == {e.id: 3 for e in w.entries}
    chengqu = {e.id for e in w.entries if e.unit_id in (w.units[0].id, w.units[1].id)}
    assert not [e for e, x in now if x == w.experts[0].id and e in chengqu]
    loads = Counter(x for _, x in now)
    assert max(loads.values()) - min(loads.values()) <= 1
    assert not db.session.get(Expert, leaving.id).active
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "expert_dropped")) is not None


def test_manual_adjust_refuses_conflicts_and_reopens_a_scored_entry(client, ctx):
    w = build(n_entries=6, n_experts=5)
    panels.assign(w.admin, w.season, 2)
    admin = auth_header(login(client, "city-admin")["token"])
    for entry, why in ((w.entries[0], "本单位"), (w.entries[1], "所在县")):   # expert 0 works at 城区 unit 1
        res = client.post(f"/api/v1/admin/entries/{entry.id}/panel", json={"add": [w.experts[0].id]}, headers=admin)
        assert res.status_code == 409 and res.get_json()["error"]["code"] == "conflicted"
        assert why in res.get_json()["error"]["message"]
    entry = w.entries[0]
    on = [x for e, x in seats() if e == entry.id]
    for x in on:
        scoring.submit(db.session.get(Expert, x).user, entry.id, sheet_for(91), None)
    assert db.session.get(Entry, entry.id).status == "scored"
    spare = next(x.id for x in w.experts[1:] if x.id not in on)
    res = client.post(f"/api/v1/admin/entries/{entry.id}/panel", json={"add": [spare]}, headers=admin)
    assert res.status_code == 200 and sorted(res.get_json()["detail"]["experts"]) == sorted(on + [spare])
    db.session.expire_all()
    assert db.session.get(Entry, entry.id).status == "accepted"      # a sheet missing again
    res = client.post(f"/api/v1/admin/entries/{entry.id}/panel", json={"remove": [spare]}, headers=admin)
    assert res.status_code == 200
    db.session.expire_all()
    assert db.session.get(Entry, entry.id).status == "scored"
    res = client.post(f"/api/v1/admin/entries/{entry.id}/panel", json={"remove": [spare]}, headers=admin)
    assert res.status_code == 409 and res.get_json()["error"]["code"] == "panel_member_missing"


def test_a_conflict_declared_later_takes_the_expert_off_the_panel(client, ctx):
    w = build(n_entries=6, n_experts=4)
    panels.assign(w.admin, w.season, 3)
    expert = w.experts[2]
    entry_id = next(e for e, x in seats() if x == expert.id)
    headers = auth_header(login(client, "expert-2")["token"])
    res = client.post("/api/v1/expert/conflicts", json={"entry_id": entry_id, "reason": "我是该项目的顾问"},
                      headers=headers)
    assert res.status_code == 201
    assert (entry_id, expert.id) not in seats()
    res = client.put(f"/api/v1/entries/{entry_id}/score", json={"criteria": sheet_for(80)}, headers=headers)
    assert res.status_code == 403 and res.get_json()["error"]["code"] == "conflicted"


def test_the_leader_never_scores_their_own_entry(ctx):
    w = build(n_entries=3, n_experts=4)
    entry = w.entries[2]
    entry.leader = Person(name="专家3", user_id=w.experts[3].user_id)
    db.session.commit()
    panels.assign(w.admin, w.season, 3)
    assert (entry.id, w.experts[3].id) not in seats()


def test_blind_review_hides_names_photo_and_file_names_from_experts(client, ctx):
    w = build(n_entries=4, n_experts=4, blind_review=True)
    panels.assign(w.admin, w.season, 3)
    expert = w.experts[2]
    entry_id = next(e for e, x in seats() if x == expert.id)
    headers = auth_header(login(client, "expert-2")["token"])
    listed = client.get("/api/v1/expert/assignments", headers=headers).get_json()["entries"]
    one = next(e for e in listed if e["id"] == entry_id)
    entry = db.session.get(Entry, entry_id)
    assert one["blind"] and one["leader"] == "匿名" and one["unit"] == "匿名单位" and one["leader_photo"] is None
    assert entry.leader.name not in str(listed)
    full = client.get(f"/api/v1/entries/{entry_id}", headers=headers).get_json()
    assert full["leader"]["name"] == "匿名" and full["leader"]["phone"] is None and full["unit"] is None
    assert entry.leader.name not in str(full) and "13912345678" not in str(full)
    # The office and the filer still see everything.
    filer = auth_header(login(client, f"filer-{w.entries.index(entry)}")["token"])
    assert client.get(f"/api/v1/entries/{entry_id}", headers=filer).get_json()["leader"]["name"] == entry.leader.name
    # Without blind review an expert sees the names but not the leader's phone.
    w.season.settings = {}
    db.session.commit()
    full = client.get(f"/api/v1/entries/{entry_id}", headers=headers).get_json()
    assert full["leader"]["name"] == entry.leader.name and full["leader"]["phone"] is None


def test_expert_pool_through_api_and_flask_command(client, ctx, app):
    w = build(n_entries=1, n_experts=1)
    admin = auth_header(login(client, "city-admin")["token"])
    res = client.post("/api/v1/admin/experts", json={"user_id": w.county_admin.id, "unit_id": w.units[2].id,
                                                    "categories": ["equipment"], "industries": ["煤炭"]}, headers=admin)
    assert res.status_code == 201 and res.get_json()["experts"][0]["unit"] == w.units[2].name
    again = client.post("/api/v1/admin/experts", json={"user_id": w.county_admin.id}, headers=admin)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "expert_exists"
    county = auth_header(login(client, "county-admin")["token"])
    assert client.get("/api/v1/admin/experts", headers=county).status_code == 403
    runner = app.test_cli_runner()
    out = runner.invoke(args=["experts", "add", str(w.admin.id), "--unit", str(w.units[4].id),
                              "--categories", "process,product", "--industries", "电力"])
    assert out.exit_code == 0, out.output
    out = runner.invoke(args=["experts", "list"])
    assert "市管理员" in out.output and "process,product" in out.output
    out = runner.invoke(args=["experts", "add", "99999"])
    assert out.exit_code != 0 and "没有编号为 99999 的用户" in out.output
    out = runner.invoke(args=["panels", "assign", str(w.season.id), "--k", "2"])
    assert out.exit_code == 0 and "seats" in out.output


def test_every_revision_is_audited_and_the_same_sheet_twice_is_one(client, ctx):
    w = build(n_entries=2, n_experts=3)
    panels.assign(w.admin, w.season, 3)
    entry_id, user = w.entries[0].id, w.experts[2].user
    headers = auth_header(login(client, "expert-2")["token"])
    for total, comment in ((80, "初评"), (86, "复核后上调"), (86, "复核后上调")):
        res = client.put(f"/api/v1/entries/{entry_id}/score", json={"criteria": sheet_for(total), "comment": comment},
                         headers=headers)
        assert res.status_code == 200
    assert res.get_json()["revision"] == 2 and res.get_json()["total"] == 86
    trail = db.session.scalars(select(AuditEvent).where(AuditEvent.object_id == entry_id,
                                                        AuditEvent.action.like("score_%")).order_by(AuditEvent.id)).all()
    assert [(a.action, a.data["total"], a.data["comment"], a.actor_id) for a in trail] == [
        ("score_submitted", 80, "初评", user.id), ("score_revised", 86, "复核后上调", user.id)]
