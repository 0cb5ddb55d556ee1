"""Reminders: planned from the calendar, re-planned when dates change, sent once to exactly
the people with something to do, never in quiet hours, pausable, visible to admins."""
from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import delete, func, select, update

from server.extensions import db
from server.models import Delivery, Season, User
from server.services import reminders
from server.services.entries import create_draft
from server.services.review import route
from server.wechat.sandbox import openid_for_code


def user(code: str) -> User:
    return db.session.scalar(select(User).where(User.openid == openid_for_code(code)))


@pytest.fixture()
def season(seeded):
    return seeded["demo_season"]


def at_china_noon(monkeypatch) -> datetime:
    noon = datetime.utcnow().replace(hour=4, minute=0)          # 12:00 CST
    monkeypatch.setattr(reminders, "utcnow", lambda: noon)
    return noon


def test_plan_and_replan_when_dates_change(season):
    slots = reminders.replan(season)
    assert [s.key for s in slots][:2] == ["before_open", "opening"]
    # Participants aim at their own last day (day 5 of the window, the review chain's default),
    # where the middle of those five days leaves no room for a third evening before it.
    assert [s.key for s in slots if not s.key.startswith("review_")] == [
        "before_open", "opening", "middle", "last_days_1", "last_morning", "last_days_0"]
    middle = next(s for s in slots if s.key == "middle")
    old_epoch = reminders.epoch(middle)
    season.submit_end = season.submit_start + timedelta(days=3)     # their last day, and the middle, move
    season.review_start = season.submit_end + timedelta(days=1)
    db.session.commit()
    slots = {s.key: s for s in reminders.replan(season)}
    assert reminders.epoch(slots["middle"]) != old_epoch
    assert reminders.run_slot(slots["middle"].id, old_epoch) == "moved"     # the old job does nothing


def test_shorter_window_cancels_slots_not_yet_run(season):
    reminders.replan(season)
    season.submit_end = season.submit_start + timedelta(days=1)
    db.session.commit()
    statuses = {s.key: s.status for s in reminders.replan(season)}
    assert "cancelled" in statuses.values()


def test_reminds_exactly_the_people_with_something_to_do(season, monkeypatch, wx):
    at_china_noon(monkeypatch)
    participant, unit_admin, county_admin = user("demo-participant"), user("demo-unit-admin"), user("demo-county-admin")
    draft = create_draft(participant)
    waiting = create_draft(participant)
    waiting.status = "submitted"
    recommended = create_draft(user("demo-expert"))          # waiting for the county now
    recommended.status, recommended.unit_id = "unit_recommended", waiting.unit_id
    elsewhere = create_draft(user("demo-estation"))           # 泽州县: not 城区's business
    elsewhere.status = "submitted"
    for entry in (waiting, recommended, elsewhere):
        route.ensure(entry)                                  # its review route, fixed at submission
    # Reviewers hear in the last days before their level's deadline (review.remind_days, default 3);
    # a wide setting here, so the slot falls inside it.
    season.settings = {**(season.settings or {}), "review.remind_days": 30}
    db.session.commit()
    slots = {s.key: s for s in reminders.replan(season)}
    assert reminders.run_slot(slots["before_open"].id) == "done"
    assert {(d.user_id, d.template) for d in db.session.scalars(select(Delivery))} == {
        (participant.id, "deadline_reminder")}                # the participants' slots: drafts only
    for key in ("review_unit_0", "review_county_0", "review_city_0"):
        assert reminders.run_slot(slots[key].id) == "done"
    rows = {(d.user_id, d.template) for d in db.session.scalars(select(Delivery))}
    # 泽州县's admin acts for the e-station, which has no unit admin (the level above handles it);
    # nothing waits for the city yet, so the city's slot reaches nobody.
    assert rows == {(participant.id, "deadline_reminder"), (unit_admin.id, "review_reminder"),
                    (county_admin.id, "review_reminder"), (user("demo-county-admin-zezhou").id, "review_reminder")}
    # the agent's own e-station entry was submitted: the agent has nothing left to do
    assert user("demo-estation").id not in {d.user_id for d in db.session.scalars(select(Delivery))}
    assert draft.id
    # run again (a second job, or the sweep): nothing more
    assert reminders.run_slot(slots["review_unit_0"].id) == "skipped"
    assert db.session.query(Delivery).count() == 4


def test_city_reviewers_are_reminded_in_the_last_days_of_the_review_phase(season, monkeypatch, wx):
    """The city accepts in the review phase, after the submission window: its slots fall there,
    reach the city's admins only while entries wait for it, and a sweep after the window still
    sends the latest of them."""
    from server.services.review import calendar, notices
    participant = user("demo-participant")
    waiting = create_draft(participant)
    waiting.status = "county_recommended"
    route.ensure(waiting)
    db.session.commit()
    slots = {s.key: s for s in reminders.replan(season)}
    last = calendar.deadlines(season)["city"]
    assert last > season.submit_end
    city_slots = [slots[f"review_city_{n}"] for n in (2, 1, 0)]
    assert all(s.send_at.date() > season.submit_end for s in city_slots)     # after the window closes
    assert to_china_day(slots["review_city_0"].send_at) == last
    day_before = datetime.combine(last - timedelta(days=1), time(4, 0))      # 12:00 CST
    monkeypatch.setattr(reminders, "utcnow", lambda: day_before)
    monkeypatch.setattr(notices, "china_today", lambda: last - timedelta(days=1))
    for s in slots.values():                 # the earlier slots were lost; the sweep finds them
        if s.send_at > day_before:
            s.send_at = day_before + timedelta(days=1)
    db.session.commit()
    ran = reminders.sweep()
    assert slots["review_city_1"].id in ran and slots["review_city_2"].status == "missed"
    assert slots["last_morning"].status == "missed"          # the participants' window closed long ago
    rows = [(d.user_id, d.template, d.data["waiting"]) for d in db.session.scalars(select(Delivery))]
    assert rows == [(user("demo-city-admin").id, "review_reminder", "1")]


def to_china_day(naive_utc: datetime):
    from server.timeutil import to_china
    return to_china(naive_utc).date()


def test_a_run_that_died_mid_batch_is_finished_without_duplicates(season, monkeypatch, wx):
    at_china_noon(monkeypatch)
    participant = user("demo-participant")
    create_draft(participant)
    db.session.commit()
    slot = reminders.replan(season)[1]
    # the first run delivered to the participant, then its worker died before marking the slot
    db.session.add(Delivery(dedupe_key=f"reminder:{slot.id}:user:{participant.id}", user_id=participant.id,
                            template="deadline_reminder", status="sent", data={}))
    db.session.commit()
    assert reminders.run_slot(slot.id) == "done"
    assert db.session.query(Delivery).count() == 1


def test_quiet_hours_and_pause_defer(season, monkeypatch, wx):
    slot = reminders.replan(season)[0]
    night = datetime.utcnow().replace(hour=14, minute=30)       # 22:30 CST
    monkeypatch.setattr(reminders, "utcnow", lambda: night)
    assert reminders.run_slot(slot.id) == "deferred"
    at_china_noon(monkeypatch)
    reminders.set_paused(season, True)
    assert reminders.run_slot(slot.id) == "deferred"
    reminders.set_paused(season, False)
    assert reminders.run_slot(slot.id) == "done"


@pytest.mark.parametrize("start,end,china_hour,result", [
    ("00:00", "07:00", 9, "done"), ("00:00", "07:00", 6, "deferred"), ("12:00", "14:00", 13, "deferred"),
    ("12:00", "14:00", 10, "done"), ("21:00", "08:00", 23, "deferred"), ("21:00", "08:00", 20, "done")])
def test_a_slot_runs_outside_any_quiet_window(season, monkeypatch, wx, start, end, china_hour, result):
    season.reminders = {**season.reminders, "quiet_start": start, "quiet_end": end}
    db.session.commit()
    slot = reminders.replan(season)[0]
    now = datetime.utcnow().replace(hour=(china_hour - 8) % 24, minute=30)
    monkeypatch.setattr(reminders, "utcnow", lambda: now)
    assert reminders.run_slot(slot.id) == result


def test_sweep_runs_slots_whose_job_was_lost(season, monkeypatch):
    noon = at_china_noon(monkeypatch)
    slots = reminders.replan(season)
    for slot in slots:
        slot.send_at = noon + timedelta(days=1)
    slots[0].send_at = noon - timedelta(minutes=5)             # due, and its job never ran
    db.session.commit()
    assert reminders.sweep() == [slots[0].id]


def test_sweep_sends_only_the_latest_overdue_slot_and_none_after_the_window(season, monkeypatch, wx):
    noon = at_china_noon(monkeypatch)
    create_draft(user("demo-participant"))
    slots = reminders.replan(season)
    for slot in slots:
        slot.send_at = noon + timedelta(days=1)
    older, newer = slots[0], slots[1]
    older.send_at, newer.send_at = noon - timedelta(hours=30), noon - timedelta(hours=2)
    db.session.commit()
    assert reminders.sweep() == [newer.id]            # workers were down for a day: one reminder, not two
    assert (older.status, newer.status) == ("missed", "done")
    assert db.session.query(Delivery).count() == 1
    # a slot overdue once the window has closed is not sent at all
    late = slots[2]
    late.send_at = noon - timedelta(minutes=5)
    season.submit_end = (noon - timedelta(days=2)).date()
    db.session.commit()
    assert reminders.sweep() == [] and late.status == "missed"
    assert db.session.query(Delivery).count() == 1


def test_status_for_admins_and_the_cli(app, season, monkeypatch, wx):
    at_china_noon(monkeypatch)
    create_draft(user("demo-participant"))
    db.session.commit()
    slot = reminders.replan(season)[0]
    reminders.run_slot(slot.id)
    report = reminders.status(season)
    assert report["deliveries"] == {"undeliverable": 1} and report["slots"][0]["status"] == "done"
    out = app.test_cli_runner().invoke(args=["reminders", "status", str(season.id)]).output
    assert "undeliverable=1" in out and "before_open" in out
    assert app.test_cli_runner().invoke(args=["reminders", "pause", str(season.id)]).output.strip() == "paused"
    db.session.expire_all()
    assert reminders.paused(db.session.get(Season, season.id))


def test_admin_report_and_pause_over_http(client, season, monkeypatch, wx):
    from ..helpers import auth_header, login
    at_china_noon(monkeypatch)
    create_draft(user("demo-participant"))
    db.session.commit()
    reminders.run_slot(reminders.replan(season)[0].id)
    city = auth_header(login(client, "demo-city-admin")["token"])
    report = client.get(f"/api/v1/admin/seasons/{season.id}/reminders", headers=city).get_json()
    # 6 slots for participants (up to their day-5 deadline), 3 days × 3 levels for reviewers
    assert report["deliveries"] == {"undeliverable": 1} and len(report["slots"]) == 6 + 9 and not report["paused"]
    assert client.post(f"/api/v1/admin/seasons/{season.id}/reminders/pause", headers=city).get_json()["paused"]
    county = auth_header(login(client, "demo-county-admin")["token"])
    res = client.get(f"/api/v1/admin/seasons/{season.id}/reminders", headers=county)
    assert res.status_code == 403 and "市级管理员" in res.get_json()["error"]["message"]
    assert client.get("/api/v1/admin/seasons/999/reminders", headers=city).status_code == 404
    assert not client.post(f"/api/v1/admin/seasons/{season.id}/reminders/resume", headers=city).get_json()["paused"]


def test_large_audiences_fan_out_in_batches_and_lost_batches_are_swept(season, monkeypatch, wx):
    from datetime import timedelta as td

    from server.extensions import queue
    noon = at_china_noon(monkeypatch)
    monkeypatch.setattr(reminders, "BATCH", 3)
    for i in range(7):
        u = User(openid=f"o-fan-{i}")
        db.session.add(u)
        db.session.flush()
        create_draft(u)
    db.session.commit()
    slot = reminders.replan(season)[0]
    queue("low").empty()
    assert reminders.run_slot(slot.id) == "done"
    jobs = [j for j in queue("low").jobs if j.func_name == "workers.reminders.deliver_batch"]
    assert sorted(len(j.args[0]) for j in jobs) == [1, 3, 3]
    reminders.deliver_batch(jobs[0].args[0])
    reminders.deliver_batch(jobs[0].args[0])          # the same batch twice: nothing sent twice
    # the other two batch jobs are lost; ten minutes later the sweep queues what is left
    queue("low").empty()
    monkeypatch.setattr(reminders, "utcnow", lambda: noon + td(minutes=11))
    reminders.sweep()
    for job in [j for j in queue("low").jobs if j.func_name == "workers.reminders.deliver_batch"]:
        reminders.deliver_batch(job.args[0])
    statuses = [d.status for d in db.session.scalars(select(Delivery).where(
        Delivery.dedupe_key.like(f"reminder:{slot.id}:%")))]
    assert len(statuses) == 7 and set(statuses) == {"undeliverable"}


def test_each_batch_is_queued_as_soon_as_its_rows_exist(season, monkeypatch, wx):
    """A city's slot writes its deliveries batch by batch and queues each at once, so workers
    start sending while the rest are written; a run that died half-way carries on without
    writing or queueing anyone twice."""
    at_china_noon(monkeypatch)
    monkeypatch.setattr(reminders, "BATCH", 3)
    for i in range(8):
        u = User(openid=f"o-pipe-{i}")
        db.session.add(u)
        db.session.flush()
        create_draft(u)
    db.session.commit()
    slot = reminders.replan(season)[0]
    rows_when_queued = []
    monkeypatch.setattr(reminders, "enqueue_batch", lambda ids: rows_when_queued.append(
        (len(ids), db.session.scalar(select(func.count()).select_from(Delivery)))))
    assert reminders.run_slot(slot.id) == "done"
    assert rows_when_queued == [(3, 3), (3, 6), (2, 8)]
    # the same slot's rows again (a run that died after writing some): nothing new, each pending one once
    people = reminders.audience(season, slot.key)
    db.session.execute(delete(Delivery).where(Delivery.id.in_(
        select(Delivery.id).order_by(Delivery.id.desc()).limit(4).scalar_subquery())))
    db.session.execute(update(Delivery).where(Delivery.id == select(func.min(Delivery.id)).scalar_subquery())
                       .values(status="sent"))
    db.session.commit()
    batches = list(reminders._pending_in_batches(slot, people))
    ids = [i for b in batches for i in b]
    assert [len(b) for b in batches] == [2, 3, 2] and len(set(ids)) == 7
    assert db.session.scalar(select(func.count()).select_from(Delivery)) == 8


def test_a_season_with_dates_out_of_order_is_refused_before_anything_is_planned(app, season):
    from server.errors import ValidationError
    from server.models import ReminderSlot
    reminders.replan(season)
    planned = {(s.key, s.send_at) for s in db.session.scalars(select(ReminderSlot))}
    season.submit_end = season.submit_start - timedelta(days=1)
    db.session.commit()
    with pytest.raises(ValidationError) as refused:
        reminders.replan(season)
    assert refused.value.code == "season_dates" and "申报阶段的开始日期" in refused.value.message
    assert {(s.key, s.send_at) for s in db.session.scalars(select(ReminderSlot))} == planned   # untouched
    out = app.test_cli_runner().invoke(args=["reminders", "plan", str(season.id)])
    assert out.exit_code != 0 and "晚于结束日期" in out.output
    season.submit_end, season.review_start = season.submit_start + timedelta(days=9), season.submit_start
    db.session.commit()
    with pytest.raises(ValidationError) as overlap:
        reminders.replan(season)
    assert "评审阶段在申报阶段结束之前就开始了" in overlap.value.message


def test_unreadable_reminder_settings_are_refused(season):
    from server.errors import ValidationError
    season.reminders = {**season.reminders, "quiet_start": "9pm"}
    with pytest.raises(ValidationError) as refused:
        reminders.replan(season)
    assert refused.value.field == "quiet_start" and "“9pm”" in refused.value.message
    season.reminders = {**season.reminders, "quiet_start": "21:00", "nudge_after_hours": "0"}
    with pytest.raises(ValidationError) as refused:
        reminders.replan(season)
    assert refused.value.field == "nudge_after_hours" and "nudge_after_hours" in refused.value.message


@pytest.mark.parametrize("participants_day", [2, 5, 7])
def test_participants_are_reminded_of_their_own_deadline_not_the_windows(season, participants_day, monkeypatch):
    """Submitting closes at the participants' deadline (review.deadlines.participants), so their
    reminders name that day and none is planned after it; the reviewers' levels come later."""
    from server.services.reminder_plan import window_end
    from server.services.review.calendar import deadlines
    season.submit_end = season.submit_start + timedelta(days=9)
    season.review_start = season.submit_end + timedelta(days=1)
    last = season.submit_start + timedelta(days=participants_day - 1)
    season.settings = {**(season.settings or {}), "review.deadlines": {
        "participants": last.isoformat(), "unit": (season.submit_start + timedelta(days=7)).isoformat(),
        "county": season.submit_end.isoformat()}}
    create_draft(user("demo-participant"))
    db.session.commit()
    assert deadlines(season)["participants"] == last
    slots = reminders.replan(season)
    theirs = [s for s in slots if not s.key.startswith("review_")]
    latest = window_end(season).replace(tzinfo=None)                 # China wall clock
    assert window_end(season).date() == last
    assert theirs and all(s.send_at + timedelta(hours=8) <= latest for s in theirs), theirs     # UTC → China
    # The last morning's slot runs on that day (a day that may be behind us here: the audience
    # leaves out whoever's own deadline has passed).
    on_the_day = datetime.combine(last, time(9)) - timedelta(hours=8)
    monkeypatch.setattr(reminders, "utcnow", lambda: on_the_day)
    (_, template, values), = [a for a in reminders.audience(season) if a[0] == user("demo-participant").id]
    assert template == "deadline_reminder" and values["deadline"] == f"{last.isoformat()} 23:59"
