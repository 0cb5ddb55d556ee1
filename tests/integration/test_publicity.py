"""The publicity period (公示, issue 16 item 5): the release opens it when the season sets N days;
the list is public (what an honour roll shows), anyone logged in objects with reasons, the office
answers each (audited; an answer may change the award), and the results become final when the
period ends — by the periodic job (twice: once) or by the city admin, never while an objection is
open. Nothing is told before; each person is told once. Bad input: a clear refusal, nothing changed."""
from __future__ import annotations

import os
import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from server.extensions import db
from server.models import AuditEvent, AwardDecision, Delivery, Entry, Expert, Objection, OutboxEvent, PanelSeat, \
    ResultRelease, Season, User
from server.services import notify, panels, publicity, scoring
from server.timeutil import utcnow
from tests.helpers import auth_header, login
from workers.results import finalise_due

from .scoring_world import build, sheet_for

TOTALS = [96, 92, 86, 70, 95, 60]     # entry index → the panel's mean total: 一等 二等 三等 - 一等 -
SPREAD = {3: (-10, 0, 10)}            # entry 3's experts disagree (60, 70, 80: spread 20, flagged)


def scored(days: int | None = 5):
    w = build(n_entries=6, n_experts=4, **({"publicity_days": days} if days is not None else {}))
    panels.assign(w.admin, w.season, 3)
    seen: dict[int, int] = {}
    for entry_id, expert_id in db.session.execute(select(PanelSeat.entry_id, PanelSeat.expert_id)
                                                  .order_by(PanelSeat.id)).all():
        n = [e.id for e in w.entries].index(entry_id)
        k = seen[n] = seen.get(n, -1) + 1
        total = TOTALS[n] + SPREAD.get(n, (0, 0, 0))[k]
        scoring.submit(db.session.get(Expert, expert_id).user, entry_id, sheet_for(total), f"评语{n}")
    return w


def later(monkeypatch, days: int = 7):
    then = utcnow() + timedelta(days=days)
    monkeypatch.setattr(publicity, "utcnow", lambda: then)


def snapshot():
    db.session.expire_all()
    return (db.session.execute(select(Entry.id, Entry.status, Entry.award).order_by(Entry.id)).all(),
            db.session.execute(select(Objection.id, Objection.answer, Objection.award_after).order_by(Objection.id)).all(),
            db.session.execute(select(AwardDecision.entry_id, AwardDecision.award).order_by(AwardDecision.id)).all(),
            db.session.execute(select(ResultRelease.id, ResultRelease.finalised_at)).all(),
            db.session.scalar(select(func.count()).select_from(AuditEvent)),
            db.session.scalar(select(func.count()).select_from(OutboxEvent)))


def test_publicity_then_final(client, ctx, monkeypatch):
    w = scored()
    ids = [e.id for e in w.entries]
    admin = auth_header(login(client, "city-admin")["token"])
    filer0 = auth_header(login(client, "filer-0")["token"])
    filer3 = auth_header(login(client, "filer-3")["token"])

    res = client.post(f"/api/v1/admin/seasons/{w.season.id}/release", headers=admin)
    assert res.status_code == 200, res.get_json()
    detail = res.get_json()["detail"]
    assert detail["final"] is False and detail["decided"] == 0 and "publicity_ends_at" in detail
    assert detail["awards"] == {"first": 2, "second": 1, "third": 1, "none": 2}

    # Nothing decided, nobody told, revision over; the filer still sees "under review".
    db.session.expire_all()
    assert {e.status for e in db.session.scalars(select(Entry))} == {"scored"}
    assert db.session.scalar(select(func.count()).select_from(OutboxEvent)) == 0
    mine = client.get(f"/api/v1/entries/{ids[0]}", headers=filer0).get_json()
    assert (mine["status"], mine["award"]) == ("accepted", None)
    res = client.put(f"/api/v1/entries/{ids[0]}/score", json={"criteria": sheet_for(80)},
                     headers=auth_header(login(client, f"expert-{_expert_of(w, ids[0])}")["token"]))
    assert res.status_code == 409 and res.get_json()["error"]["code"] == "released"

    # The public list: by award, leader and unit, no scores — on the API and as a public page.
    listed = client.get(f"/api/v1/seasons/{w.season.id}/publicity", headers=filer3).get_json()
    assert listed["state"]["phase"] == "publicity"
    assert [(g["award"], [e["title"] for e in g["entries"]]) for g in listed["awards"]] == [
        ("first", ["成果00", "成果04"]), ("second", ["成果01"]), ("third", ["成果02"])]
    assert listed["awards"][0]["entries"][0]["leader"] == "申报人00"
    assert {k for g in listed["awards"] for e in g["entries"] for k in e} == {
        "entry_id", "title", "category", "category_label", "leader", "unit"}          # no scores, no phone
    page = client.get(f"/seasons/{w.season.id}/publicity")
    assert page.status_code == 200 and "成果04" in page.text and "申报人04" in page.text and "一等奖" in page.text
    assert "成果03" not in page.text

    # An objection by someone else's filer; the office answers it, taking 成果04's award away.
    res = client.post(f"/api/v1/seasons/{w.season.id}/objections",
                      json={"entry_id": ids[4], "reason": "该成果的效益数据与实际不符，附有车间统计表"}, headers=filer3)
    assert res.status_code == 201, res.get_json()
    objection_id = res.get_json()["objections"][0]["id"]
    listed = client.get(f"/api/v1/admin/seasons/{w.season.id}/objections", headers=admin).get_json()
    assert [(o["id"], o["answered"], o["filed_by"]) for o in listed["objections"]] == [(objection_id, False, "申报人03")]

    # Finalising now is refused: the period runs, and then the objection is open.
    res = client.post(f"/api/v1/admin/seasons/{w.season.id}/finalise", headers=admin)
    assert res.status_code == 409 and res.get_json()["error"]["code"] == "publicity_running"
    later(monkeypatch)
    assert finalise_due() == []                       # the job leaves it: one objection is open
    res = client.post(f"/api/v1/admin/seasons/{w.season.id}/finalise", headers=admin)
    assert res.status_code == 409 and res.get_json()["error"]["code"] == "objections_open"
    assert "1 条异议" in res.get_json()["error"]["message"]

    res = client.post(f"/api/v1/admin/objections/{objection_id}/answer",
                      json={"answer": "经核实，效益数据有误，取消拟授奖项", "award": "none"}, headers=admin)
    assert res.status_code == 200, res.get_json()
    answered = res.get_json()["objections"][0]
    assert answered["award_changed"] and answered["award_before_label"] == "一等奖" \
        and answered["award_after_label"] == "未获奖"
    mine = client.get("/api/v1/me/objections", headers=filer3).get_json()["objections"]
    assert [(o["answered"], o["answer"]) for o in mine] == [(True, "经核实，效益数据有误，取消拟授奖项")]
    trail = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == ids[4],
                                                               AuditEvent.object_type == "entry")).all()
    assert {"objection_filed", "award_decided", "objection_answered"} <= set(trail)

    # The period's end: the job makes the results final once; a second run does nothing.
    assert finalise_due() == [w.season.id]
    assert finalise_due() == []
    db.session.expire_all()
    awards = {e.id: (e.status, e.award) for e in db.session.scalars(select(Entry))}
    assert awards[ids[0]] == ("decided", "first") and awards[ids[4]] == ("decided", None)
    assert {s for s, _ in awards.values()} == {"decided"}
    assert db.session.scalar(select(ResultRelease.finalised_by_id)) is None       # by the period's end
    res = client.post(f"/api/v1/admin/seasons/{w.season.id}/finalise", headers=admin)
    assert res.status_code == 409 and res.get_json()["error"]["code"] == "already_final"
    mine = client.get(f"/api/v1/entries/{ids[0]}", headers=filer0).get_json()
    assert (mine["status"], mine["award"]) == ("decided", "first")

    # Each person told once, however often the jobs run.
    events = db.session.scalars(select(OutboxEvent).order_by(OutboxEvent.id)).all()
    assert Counter(e.kind for e in events) == {"objection_answered": 1, "entry_decided": 6, "results_released": 1}
    for _ in range(2):
        for event_id in [e.id for e in events]:
            notify.handle_event(event_id)
    deliveries = db.session.scalars(select(Delivery)).all()
    assert Counter(d.template for d in deliveries) == {"result_released": 6, "objection_answered": 1}
    assert Counter(d.user_id for d in deliveries if d.template == "result_released") == \
        {e.created_by_id: 1 for e in w.entries}


def _expert_of(w, entry_id) -> int:
    expert_id = db.session.scalar(select(PanelSeat.expert_id).where(PanelSeat.entry_id == entry_id))
    return [x.id for x in w.experts].index(expert_id)


def test_without_a_period_the_release_is_final_at_once(client, ctx):
    w = scored(days=None)
    admin = auth_header(login(client, "city-admin")["token"])
    res = client.post(f"/api/v1/admin/seasons/{w.season.id}/release", headers=admin)
    assert res.status_code == 200 and res.get_json()["detail"]["final"] is True
    db.session.expire_all()
    assert {e.status for e in db.session.scalars(select(Entry))} == {"decided"}
    res = client.post(f"/api/v1/seasons/{w.season.id}/objections", json={"entry_id": w.entries[0].id, "reason": "有异议"},
                      headers=admin)
    assert res.status_code == 409 and res.get_json()["error"]["code"] == "no_publicity"
    res = client.post(f"/api/v1/admin/seasons/{w.season.id}/finalise", headers=admin)
    assert res.status_code == 409 and res.get_json()["error"]["code"] == "already_final"


def test_the_setting(client, ctx):
    w = scored(days=None)
    admin = auth_header(login(client, "city-admin")["token"])
    county = auth_header(login(client, "county-admin")["token"])
    url = f"/api/v1/admin/seasons/{w.season.id}/publicity"
    for body, status, code in (({"days": 31}, 400, "publicity_days"), ({"days": -1}, 400, "publicity_days"),
                               ({"days": "七"}, 400, None)):
        res = client.put(url, json=body, headers=admin)
        assert res.status_code == status, (body, res.get_json())
        if code:
            assert res.get_json()["error"]["code"] == code and "0–30" in res.get_json()["error"]["message"]
    assert client.put(url, json={"days": 3}, headers=county).status_code == 403
    assert client.put(url, json={"days": 3}, headers=admin).status_code == 200
    db.session.expire_all()
    assert w.season.setting("publicity_days") == 3
    assert client.post(f"/api/v1/admin/seasons/{w.season.id}/release", headers=admin).status_code == 200
    res = client.put(url, json={"days": 0}, headers=admin)
    assert res.status_code == 409 and res.get_json()["error"]["code"] == "released"


@pytest.fixture()
def period(client, ctx):
    w = scored()
    admin = auth_header(login(client, "city-admin")["token"])
    assert client.post(f"/api/v1/admin/seasons/{w.season.id}/release", headers=admin).status_code == 200
    w.other["headers"] = {"admin": admin, "county": auth_header(login(client, "county-admin")["token"]),
                          "filer": auth_header(login(client, "filer-3")["token"]),
                          "expert": auth_header(login(client, "expert-1")["token"])}
    filer = db.session.get(User, w.entries[3].created_by_id)           # "filer-3"
    w.other["objection"] = publicity.file(filer, w.season, w.entries[0].id, "数据有误").id
    return w


BAD = [   # (what, who, method, path maker, body maker, status, code, field, moves the clock)
    ("an empty reason", "filer", "post", lambda w: f"/api/v1/seasons/{w.season.id}/objections",
     lambda w: {"entry_id": w.entries[0].id, "reason": "   "}, 400, "reason_required", "reason", False),
    ("a reason too long", "filer", "post", lambda w: f"/api/v1/seasons/{w.season.id}/objections",
     lambda w: {"entry_id": w.entries[0].id, "reason": "长" * 1001}, 400, "reason_too_long", "reason", False),
    ("an entry not on the list", "filer", "post", lambda w: f"/api/v1/seasons/{w.season.id}/objections",
     lambda w: {"entry_id": 999999, "reason": "不符"}, 400, "entry_not_listed", "entry_id", False),
    ("an objection after the period", "filer", "post", lambda w: f"/api/v1/seasons/{w.season.id}/objections",
     lambda w: {"entry_id": w.entries[0].id, "reason": "不符"}, 409, "publicity_over", None, True),
    ("a second open objection by the same person", "filer", "post",
     lambda w: f"/api/v1/seasons/{w.season.id}/objections",
     lambda w: {"entry_id": w.entries[0].id, "reason": "不符"}, 409, "objection_pending", None, False),
    ("an answer by a county admin", "county", "post", lambda w: f"/api/v1/admin/objections/{w.other['objection']}/answer",
     lambda w: {"answer": "已核实"}, 403, "city_admin_only", None, False),
    ("an answer by an expert", "expert", "post", lambda w: f"/api/v1/admin/objections/{w.other['objection']}/answer",
     lambda w: {"answer": "已核实"}, 403, "city_admin_only", None, False),
    ("an answer by a filer", "filer", "post", lambda w: f"/api/v1/admin/objections/{w.other['objection']}/answer",
     lambda w: {"answer": "已核实"}, 403, "city_admin_only", None, False),
    ("an empty answer", "admin", "post", lambda w: f"/api/v1/admin/objections/{w.other['objection']}/answer",
     lambda w: {"answer": ""}, 400, "answer_required", "answer", False),
    ("an award an answer cannot give", "admin", "post",
     lambda w: f"/api/v1/admin/objections/{w.other['objection']}/answer",
     lambda w: {"answer": "改为一等奖", "award": "first"}, 400, "award_not_allowed", "award", False),
    ("an unknown objection", "admin", "post", lambda w: "/api/v1/admin/objections/999999/answer",
     lambda w: {"answer": "已核实"}, 404, "objection_unknown", None, False),
    ("finalise during the period", "admin", "post", lambda w: f"/api/v1/admin/seasons/{w.season.id}/finalise",
     lambda w: None, 409, "publicity_running", None, False),
    ("finalise with an open objection", "admin", "post", lambda w: f"/api/v1/admin/seasons/{w.season.id}/finalise",
     lambda w: None, 409, "objections_open", None, True),
    ("finalise by a county admin", "county", "post", lambda w: f"/api/v1/admin/seasons/{w.season.id}/finalise",
     lambda w: None, 403, "city_admin_only", None, True),
    ("release twice", "admin", "post", lambda w: f"/api/v1/admin/seasons/{w.season.id}/release",
     lambda w: None, 409, "already_released", None, False),
    ("an office decision during the period", "admin", "post",
     lambda w: f"/api/v1/admin/entries/{w.entries[3].id}/award",
     lambda w: {"award": "excellent", "reason": "委员会决定"}, 409, "released", None, False),
    ("the office's list for a county admin", "county", "get",
     lambda w: f"/api/v1/admin/seasons/{w.season.id}/objections", lambda w: None, 403, "city_admin_only", None, False),
]


@pytest.mark.parametrize("what,who,method,path,body,status,code,field,moved", BAD, ids=[c[0] for c in BAD])
def test_bad_input_is_refused_and_changes_nothing(client, period, monkeypatch, what, who, method, path, body, status,
                                                  code, field, moved):
    w = period
    if moved:
        later(monkeypatch)
    before = snapshot()
    kwargs = {"headers": w.other["headers"][who]}
    if body(w) is not None:
        kwargs["json"] = body(w)
    res = getattr(client, method)(path(w), **kwargs)
    assert res.status_code == status, res.get_json()
    error = res.get_json()["error"]
    assert error["code"] == code and error["message"] and not error["message"].isascii()
    assert error.get("field") == field
    assert snapshot() == before


def test_finalise_twice_and_answer_twice(client, period, monkeypatch):
    w = period
    admin = w.other["headers"]["admin"]
    url = f"/api/v1/admin/objections/{w.other['objection']}/answer"
    assert client.post(url, json={"answer": "经核实数据无误，维持原拟奖项"}, headers=admin).status_code == 200
    before = snapshot()
    res = client.post(url, json={"answer": "再答一次"}, headers=admin)
    assert res.status_code == 409 and res.get_json()["error"]["code"] == "already_answered"
    assert snapshot() == before
    later(monkeypatch)
    res = client.post(f"/api/v1/admin/seasons/{w.season.id}/finalise", headers=admin)
    assert res.status_code == 200 and res.get_json()["detail"]["decided"] == 6
    assert db.session.scalar(select(ResultRelease.finalised_by_id)) == w.admin.id
    before = snapshot()
    for _ in range(2):
        res = client.post(f"/api/v1/admin/seasons/{w.season.id}/finalise", headers=admin)
        assert res.status_code == 409 and res.get_json()["error"]["code"] == "already_final"
    assert finalise_due() == []
    res = client.post(url, json={"answer": "答复"}, headers=admin)
    assert res.status_code == 409 and res.get_json()["error"]["code"] == "already_final"
    assert snapshot() == before



@pytest.mark.skipif(not os.environ["DATABASE_URL"].startswith("postgres"), reason="row locks: PostgreSQL")
@pytest.mark.parametrize("editor", ["publicity_days", "reminders_paused"])
def test_a_settings_save_waits_for_another_and_keeps_its_change(app, ctx, editor):
    """Another editor holds the season row with its own change to the JSON not yet committed:
    this save waits for it and keeps that change instead of writing back what it read before."""
    from server.services import reminders
    from tests.factories import make_season, make_tree, make_user
    season = make_season()
    admin = make_user("市总", ("city_admin", make_tree().city))
    db.session.commit()
    season_id, admin_id = season.id, admin.id
    column = Season.settings if editor == "publicity_days" else Season.reminders
    other = db.engine.connect()
    held = other.begin()
    current = other.execute(select(column).where(Season.id == season_id).with_for_update()).scalar() or {}
    other.execute(update(Season).where(Season.id == season_id).values({column.key: {**current, "other_editor": 1}}))
    errors = []

    def save():
        with app.app_context():
            try:
                mine = db.session.get(Season, season_id)
                mine.settings, mine.reminders       # read before the other editor commits
                if editor == "publicity_days":
                    publicity.set_days(db.session.get(User, admin_id), mine, 7)
                else:
                    reminders.set_paused(mine, True)
            except Exception as exc:                 # reported below, not lost in the thread
                errors.append(exc)
            finally:
                db.session.remove()

    thread = threading.Thread(target=save)
    thread.start()
    thread.join(1.0)                                  # it reads, then waits for the row
    held.commit()
    other.close()
    thread.join(30)
    assert not thread.is_alive() and not errors, errors
    db.session.expire_all()
    saved = db.session.scalar(select(column).where(Season.id == season_id))
    assert saved["other_editor"] == 1
    assert saved.get("publicity_days") == 7 or saved.get("paused") is True
