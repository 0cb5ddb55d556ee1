"""Bad input to the review chain (issue 15): each is refused in Chinese with nothing changed;
and the calendar, reply-by, withdraw, duplicates, queue filters and attachment scope."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from server.errors import ValidationError
from server.extensions import db
from server.models import AuditEvent, Entry, EntryReview
from server.services import status
from server.services.reminder_plan import plan
from server.services.review import actions, calendar, queue
from server.services.review.notices import reviewer_audience
from server.timeutil import china_today
from server.wechat.sandbox import openid_for_code

from ..factories import make_entry, make_review_world, make_season
from ..helpers import auth_header, login


def _audits() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


@pytest.fixture()
def world(ctx):
    w = make_review_world()
    db.session.commit()
    return w


def _entry(world, who="p_cq", st="submitted", **fields) -> Entry:
    e = make_entry(world.users[who], status=st, season=world.season, **fields)
    db.session.commit()
    return e


def _fails(user, action, ids, code, *words, **extra):
    before = _audits()
    statuses = {i: db.session.get(Entry, i).status for i in ids}
    [result] = actions.act(user, action, ids, **extra)
    assert not result["ok"] and result["error"]["code"] == code, result
    assert all(w in result["error"]["message"] for w in words), result["error"]["message"]
    db.session.expire_all()
    assert {i: db.session.get(Entry, i).status for i in ids} == statuses and _audits() == before


def test_refusals_change_nothing(world):
    u = world.users
    other = _entry(world, st="unit_recommended")
    _fails(u["county_zz"], "recommend", [other.id], "entry_not_found", "找不到")          # another county's
    twice = _entry(world)
    assert actions.act(u["unit_cq"], "recommend", [twice.id])[0]["ok"]
    _fails(u["unit_cq"], "recommend", [twice.id], "wrong_status", "单位已推荐")           # recommending twice
    gone = _entry(world, st="withdrawn")
    _fails(u["unit_cq"], "recommend", [gone.id], "wrong_status", "已撤回")               # withdrawn
    bare = Entry(season_id=world.season.id, created_by_id=u["nobody"].id, status="draft")  # no unit yet
    drafted = Entry(season_id=world.season.id, created_by_id=u["nobody"].id, status="draft",
                    unit_id=world.orgs["u_cq"].id)
    db.session.add_all([bare, drafted])
    db.session.commit()
    for action in ("recommend", "confirm"):          # drafts are their authors' alone (issue 13): not found, no 500
        _fails(u["city"], action, [bare.id], "entry_not_found")
        _fails(u["city"], action, [drafted.id], "entry_not_found")
    assert db.session.get(EntryReview, bare.id) is None and db.session.get(EntryReview, drafted.id) is None
    late = _entry(world)
    world.season.submit_start -= timedelta(days=30)
    world.season.submit_end = china_today() - timedelta(days=1)
    db.session.commit()
    _fails(u["unit_cq"], "recommend", [late.id], "wrong_phase", "申报")                   # wrong phase
    _fails(u["unit_cq"], "ineligible", [late.id], "wrong_phase", reason="立项项目", rule="funded_project")


@pytest.mark.parametrize("action,extra,code", [
    ("return", {}, "reason_required"),
    ("return", {"reason": "   "}, "reason_required"),
    ("not_ours", {}, "reason_required"),
    ("not_recommend", {}, "reason_required"),
    ("ineligible", {"reason": "有经费"}, "rule_required"),
    ("ineligible", {"reason": "有经费", "rule": "no_such_rule"}, "rule_required"),
    ("return", {"reason": "改", "fields": ["no_such_field"]}, "unknown_field"),
    ("recommend", {"fields": ["title"]}, "fields_not_allowed"),
    ("approve", {}, "unknown_action"),
])
def test_a_bad_request_is_refused_as_a_whole(world, action, extra, code):
    e = _entry(world)
    before = _audits()
    with pytest.raises(ValidationError) as bad:
        actions.act(world.users["unit_cq"], action, [e.id], **extra)
    assert bad.value.code == code and any("\u4e00" <= ch <= "\u9fff" for ch in bad.value.message)
    assert db.session.get(Entry, e.id).status == "submitted" and _audits() == before


def test_http_envelope_and_per_entry_results(client, world):
    for key in ("unit_cq", "p_cq"):
        world.users[key].openid = openid_for_code(f"bad-{key}".replace("bad-", "rvb-"))
    db.session.commit()
    h = auth_header(login(client, "rvb-unit_cq")["token"])
    e1, e2 = _entry(world), _entry(world, st="withdrawn")
    res = client.post("/api/v1/review/actions", json={"action": "return", "entry_ids": [e1.id]}, headers=h)
    assert res.status_code == 400 and res.get_json()["error"]["code"] == "reason_required"
    assert res.get_json()["error"]["field"] == "reason"
    res = client.post("/api/v1/review/actions", json={"action": "recommend", "entry_ids": [e1.id, e2.id, 999999]},
                      headers=h)
    results = res.get_json()["results"]
    assert [r["ok"] for r in results] == [True, False, False]
    assert [r["error"]["code"] for r in results[1:]] == ["wrong_status", "entry_not_found"]
    res = client.get("/api/v1/review/queue?status=nonsense", headers=h)
    assert res.status_code == 400 and res.get_json()["error"]["field"] == "status"
    res = client.get("/api/v1/review/queue?per_page=5000", headers=h)
    assert res.status_code == 400


def test_withdraw_before_acceptance_only(client, world):
    world.users["p_cq"].openid = openid_for_code("rvw-p")
    db.session.commit()
    h = auth_header(login(client, "rvw-p")["token"])
    e = _entry(world, st="county_recommended")
    res = client.post(f"/api/v1/entries/{e.id}/withdraw", json={"reason": "不报了"}, headers=h)
    assert res.status_code == 200 and res.get_json()["status"] == "withdrawn"
    done = _entry(world, st="accepted")
    res = client.post(f"/api/v1/entries/{done.id}/withdraw", json={}, headers=h)
    assert res.status_code == 409 and "市级已受理" in res.get_json()["error"]["message"]
    theirs = _entry(world, who="p_zz")
    res = client.post(f"/api/v1/entries/{theirs.id}/withdraw", json={}, headers=h)
    assert res.status_code == 404


def test_the_calendar_defaults_and_checks(ctx):
    season = make_season()
    d = calendar.deadlines(season)
    assert d["participants"] < d["unit"] < d["county"] <= season.submit_end and d["city"] == season.review_end
    calendar.check(season)
    plan(season)                         # the reminder plan runs the phases' checks, then these
    for bad, code_field in (({"participants": "2000-01-01"}, "participants"),
                            ({"unit": season.submit_start.isoformat()}, "unit"),
                            ({"county": (season.submit_end + timedelta(days=1)).isoformat()}, "county"),
                            ({"unit": "九月八日"}, "unit"), ({"team": "2021-09-01"}, "team")):
        season.settings = {"review.deadlines": bad}
        for check in (calendar.check, plan):
            with pytest.raises(ValidationError) as refused:
                check(season)
            assert refused.value.field == code_field and refused.value.code == "season_dates"


def test_reply_by_overrides_the_participants_deadline(world):
    u = world.users
    start = china_today() - timedelta(days=8)
    world.season.submit_start = start
    world.season.settings = {"review.deadlines": {"participants": (start + timedelta(days=1)).isoformat(),
                                                  "unit": china_today().isoformat()}}
    e = _entry(world)
    [r] = actions.act(u["unit_cq"], "return", [e.id], reason="补充照片", fields=["summary"],
                      reply_by=china_today() + timedelta(days=2))
    assert r["ok"]
    db.session.expire_all()
    e = db.session.get(Entry, e.id)
    status.transition(e, "submit", u["p_cq"])        # past the participants' day, inside the reply-by
    assert e.status == "submitted"
    db.session.rollback()
    late = _entry(world, st="draft", complete=True)
    with pytest.raises(Exception) as closed:
        status.transition(late, "submit", u["p_cq"])
    assert getattr(closed.value, "code", None) == "window_closed"


def test_reviewers_are_reminded_in_their_last_days(world):
    _entry(world)
    d = calendar.deadlines(world.season)
    assert reviewer_audience(world.season, d["unit"] - timedelta(days=10)) == []
    people = reviewer_audience(world.season, d["unit"])
    assert [(uid, tpl, v["waiting"]) for uid, tpl, v in people] == [(world.users["unit_cq"].id, "review_reminder", "1")]


def test_duplicates_are_flagged_with_the_other_entry(world):
    earlier = make_season(name="上一届", today=china_today() - timedelta(days=365))
    old = make_entry(world.users["p_cq"], status="accepted", season=earlier, title="皮带输送机自动纠偏装置")
    new = _entry(world, title="皮带输送机自动纠偏装置（改进）")
    unrelated = _entry(world, title="井下照明节能改造")
    db.session.commit()
    items = {i["id"]: i for i in queue.queue(world.users["unit_cq"])["items"]}
    assert [d["id"] for d in items[new.id]["duplicates"]] == [old.id]
    assert items[new.id]["duplicates"][0]["season"] == "上一届"
    assert items[unrelated.id]["duplicates"] == []


def test_queue_filters_sorting_paging(world):
    for n in range(5):
        _entry(world, title=f"项目{n}", category="process" if n % 2 else "equipment")
    _entry(world, who="p_zz")
    q = queue.queue(world.users["unit_cq"], sort="title", order="desc", per_page=2, page=2)
    assert q["total"] == 5 and [i["title"] for i in q["items"]] == ["项目2", "项目1"]
    assert queue.queue(world.users["unit_cq"], category="process")["total"] == 2
    assert queue.queue(world.users["county_cq"])["total"] == 0        # nothing waits at the county yet
    assert queue.queue(world.users["p_cq"])["total"] == 0
    first = queue.queue(world.users["unit_cq"], sort="id")["items"][0]["id"]
    actions.act(world.users["unit_cq"], "recommend", [first])
    assert queue.queue(world.users["unit_cq"])["total"] == 4
    assert [i["id"] for i in queue.queue(world.users["unit_cq"], status="unit_recommended")["items"]] == [first]
    assert queue.queue(world.users["county_cq"])["total"] == 1
    review = db.session.get(EntryReview, first)
    assert review.unit_confirmed_at is not None


def test_an_attachment_is_downloaded_only_by_those_who_may_see_the_entry(client, world):
    import io
    from PIL import Image
    from server.services import attachments
    e = _entry(world)
    buf = io.BytesIO()
    Image.new("RGB", (200, 200), "blue").save(buf, format="PNG")
    stored = attachments.store(world.users["p_cq"], e, buf.getvalue(), "chart.png", "chart")
    db.session.commit()
    for key, code in (("p_cq", 200), ("unit_cq", 200), ("county_cq", 200), ("county_zz", 404), ("nobody", 404)):
        world.users[key].openid = openid_for_code(f"rva-{key}")
        db.session.commit()
        h = auth_header(login(client, f"rva-{key}")["token"])
        res = client.get(f"/api/v1/attachments/{stored.attachment.id}", headers=h)
        assert res.status_code == code, key
        if code == 200:
            assert res.data == buf.getvalue()


def test_an_entry_in_full_for_those_who_may_see_it(client, world):
    for key in ("county_cq", "county_zz", "unit_cq"):
        world.users[key].openid = openid_for_code(f"rvf-{key}")
    db.session.commit()
    h = {k: auth_header(login(client, f"rvf-{k}")["token"]) for k in ("county_cq", "county_zz", "unit_cq")}
    e = _entry(world)
    actions.act(world.users["unit_cq"], "return", [e.id], reason="请补充图表", fields=["summary"])
    res = client.get(f"/api/v1/review/entries/{e.id}", headers=h["county_cq"])
    assert res.status_code == 200, res.get_json()
    body = res.get_json()
    assert body["entry"]["id"] == e.id and body["entry"]["title"] == e.title
    assert body["review"]["return_reason"] == "请补充图表" and body["review"]["returned_level"] == "unit"
    assert [f["field"] for f in body["review"]["return_fields"]] == ["summary"]
    assert [(x["action"], x["reason"]) for x in body["history"]][-1] == ("entry_returned", "请补充图表")
    assert client.get(f"/api/v1/review/entries/{e.id}", headers=h["county_zz"]).status_code == 404
