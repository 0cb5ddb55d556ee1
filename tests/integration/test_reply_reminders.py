"""Returned entries (退回修改) are reminded up to their own reply-by date, not only up to the
participants' deadline: the reminder job after the participants' last day (reply_reminders), the
planned slots' audience before it (reminders.own_deadlines) — never after the reply-by date,
never in quiet hours, not while paused, through the deadline reminder's consents."""
from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select

from server.extensions import db
from server.models import Delivery, Entry, EntryReview, OutboxEvent, SubscriptionConsent
from server.services import notify, reminders, reply_reminders
from server.timeutil import china_today
from tests.factories import make_entry, make_review_world, make_season
from workers.periodic import PERIODIC


class Clock:
    """The services' clock (reply_reminders, reminders): China time `hour`:00 of today + days."""

    def __init__(self, monkeypatch):
        self.monkeypatch, self.today = monkeypatch, china_today()
        self.at(12)

    def at(self, hour: int, days: int = 0) -> None:
        now = datetime.combine(self.today + timedelta(days=days), time(hour)) - timedelta(hours=8)   # naive UTC
        self.monkeypatch.setattr(reply_reminders, "utcnow", lambda: now)
        self.monkeypatch.setattr(reminders, "utcnow", lambda: now)


@pytest.fixture()
def clock(monkeypatch) -> Clock:
    return Clock(monkeypatch)


def season_with(today, participants: int):
    """An open season whose participants' deadline is today + `participants` days."""
    season = make_season("open")
    season.settings = {"review.deadlines": {
        "participants": (today + timedelta(days=participants)).isoformat(),
        "unit": (season.submit_end - timedelta(days=1)).isoformat(), "county": season.submit_end.isoformat()}}
    return season


def returned(world, reply_by, status: str = "returned") -> Entry:
    entry = make_entry(world.users["p_cq"], status=status, season=world.season, unit=world.orgs["u_cq"])
    review = db.session.get(EntryReview, entry.id)
    review.returned_level, review.return_reason, review.reply_by = "unit", "请补充数据", reply_by
    db.session.commit()
    return entry


# participants' deadline and reply-by (days from today), China hour, paused, status → events today
CASES = [
    ("in_the_last_days_after_the_participants_deadline", -1, 2, 12, False, "returned", 1),
    ("on_the_reply_by_day_itself", -3, 0, 9, False, "returned", 1),
    ("too_early_for_its_reply_by", -1, 5, 12, False, "returned", 0),
    ("reply_by_passed", -3, -1, 12, False, "returned", 0),
    ("quiet_hours", -1, 1, 23, False, "returned", 0),
    ("quiet_hours_before_eight", -1, 1, 7, False, "returned", 0),
    ("paused", -1, 1, 12, True, "returned", 0),
    ("resubmitted", -1, 1, 12, False, "submitted", 0),
    ("the_planned_slots_still_run", 1, 2, 12, False, "returned", 0),
]


@pytest.mark.parametrize("name,participants,reply,hour,paused,status,expected", CASES, ids=[c[0] for c in CASES])
def test_the_reply_by_reminder_job(ctx, clock, name, participants, reply, hour, paused, status, expected):
    world = make_review_world(season_with(clock.today, participants))
    if paused:
        world.season.reminders = {**world.season.reminders, "paused": True}
    entry = returned(world, clock.today + timedelta(days=reply), status)
    clock.at(hour)
    assert reply_reminders.remind_returned() == expected
    keys = db.session.scalars(select(OutboxEvent.dedupe_key).where(OutboxEvent.kind == "reply_due")).all()
    assert keys == [reply_reminders.dedupe_key(entry.id, clock.today)] * expected
    assert reply_reminders.remind_returned() == 0                    # once a day, however often it runs


def test_each_day_up_to_the_reply_by_date_and_delivered_on_the_consent(ctx, clock, wx):
    """Participants' deadline yesterday, reply-by in 4 days: days 2, 3 and 4 each get one event
    (the last three), none before or after; each is sent on a deadline-reminder consent and names
    the reply-by date; without a consent left it is not sent."""
    world = make_review_world(season_with(clock.today, -1))
    entry = returned(world, clock.today + timedelta(days=4))
    filer = entry.created_by_id
    db.session.add(SubscriptionConsent(user_id=filer, template="deadline_reminder", remaining=2))
    db.session.commit()
    emitted = []
    for day in range(7):
        clock.at(8, day)                                              # the quiet hours end at 08:00
        emitted.append(reply_reminders.remind_returned())
    assert emitted == [0, 0, 1, 1, 1, 0, 0]
    events = db.session.scalars(select(OutboxEvent).where(OutboxEvent.kind == "reply_due").order_by(OutboxEvent.id))
    clock.at(9, 4)                                                    # the last day: all three handled
    for event in events:
        notify.handle_event(event.id)
    deliveries = db.session.scalars(select(Delivery).order_by(Delivery.id)).all()
    assert [(d.user_id, d.template, d.status) for d in deliveries] == [
        (filer, "deadline_reminder", "sent"), (filer, "deadline_reminder", "sent"),
        (filer, "deadline_reminder", "undeliverable")]
    sent = wx.calls("subscribe_send")[-1]["data"]["data"]
    assert sent["time2"]["value"] == f"{(clock.today + timedelta(days=4)).isoformat()} 23:59"
    assert sent["thing3"]["value"] == "您还有未提交的申报"


def test_an_event_for_an_entry_resubmitted_or_past_its_reply_by_sends_nothing(ctx, clock):
    world = make_review_world(season_with(clock.today, -1))
    entry = returned(world, clock.today + timedelta(days=1))
    assert reply_reminders.remind_returned() == 1
    event_id = db.session.scalar(select(OutboxEvent.id).where(OutboxEvent.kind == "reply_due"))
    clock.at(9, 2)                                                    # handled late: after the reply-by date
    assert notify.handle_event(event_id) == []
    clock.at(12)
    entry.status = "submitted"
    db.session.commit()
    assert reply_reminders.recipients({"entry_id": entry.id}) == []


# The planned slots' audience (participants): each filer with their own nearest last day still
# ahead. (entries: (status, reply-by in days or None)), participants' deadline in days → deadline
AUDIENCE = [
    ("a_draft", [("draft", None)], 3, 3),
    ("returned_later_than_the_participants", [("returned", 6)], 3, 6),
    ("returned_earlier", [("returned", 1)], 3, 1),
    ("returned_and_past_its_reply_by", [("returned", -1)], 3, None),
    ("a_draft_and_a_later_return", [("draft", None), ("returned", 6)], 3, 3),
    ("a_passed_return_and_a_draft", [("returned", -1), ("draft", None)], 3, 3),
]


@pytest.mark.parametrize("name,entries,participants,expected", AUDIENCE, ids=[a[0] for a in AUDIENCE])
def test_the_planned_reminders_name_each_filers_own_deadline(ctx, clock, name, entries, participants, expected):
    world = make_review_world(season_with(clock.today, participants))
    for status, reply in entries:
        if status == "draft":
            make_entry(world.users["p_cq"], status="draft", season=world.season, unit=world.orgs["u_cq"])
        else:
            returned(world, clock.today + timedelta(days=reply))
    db.session.commit()
    got = {uid: values["deadline"] for uid, template, values in reminders.audience(world.season)
           if template == "deadline_reminder"}
    want = {} if expected is None else {
        world.users["p_cq"].id: f"{(clock.today + timedelta(days=expected)).isoformat()} 23:59"}
    assert got == want


def test_the_job_is_scheduled_with_the_others():
    assert PERIODIC["reply_reminders"] == ("workers.reminders.remind_returned_entries", 600)
    assert notify.HANDLERS["reply_due"]
