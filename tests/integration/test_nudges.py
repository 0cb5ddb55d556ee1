"""Events beyond submission: a draft left unfinished is nudged once (not at night, not after the
window), and a proxy entry is announced to the agent and to the farmer, each in their own words."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from server.extensions import db
from server.models import Delivery, Entry, OutboxEvent, Person, SubscriptionConsent, User
from server.services import notify, nudges, outbox
from server.services.entries import create_draft
from server.wechat.sandbox import openid_for_code


def user(code: str) -> User:
    return db.session.scalar(select(User).where(User.openid == openid_for_code(code)))


@pytest.fixture()
def china_noon(monkeypatch):
    noon = datetime.utcnow().replace(hour=4, minute=0, second=0, microsecond=0)   # 12:00 CST, today
    monkeypatch.setattr(nudges, "utcnow", lambda: noon)
    return noon


def idle_draft(code: str, hours: float, now: datetime) -> Entry:
    entry = create_draft(user(code))
    entry.title = "皮带输送机自动纠偏装置"
    db.session.commit()
    db.session.execute(Entry.__table__.update().where(Entry.id == entry.id).values(
        updated_at=now - timedelta(hours=hours)))
    db.session.commit()
    return entry


def test_an_idle_draft_is_nudged_once_and_a_fresh_one_not(seeded, china_noon, wx):
    idle = idle_draft("demo-participant", 25, china_noon)
    idle_draft("demo-unit-admin", 2, china_noon)                      # touched two hours ago
    db.session.add(SubscriptionConsent(user_id=idle.created_by_id, template="draft_unfinished", remaining=1))
    db.session.commit()
    assert nudges.nudge_unfinished() == 1
    assert nudges.nudge_unfinished() == 0                             # the next run: already nudged
    event = db.session.scalar(select(OutboxEvent).where(OutboxEvent.kind == "draft_unfinished"))
    assert event.dedupe_key == f"draft_unfinished:entry:{idle.id}"
    notify.handle_event(event.id)
    delivery = db.session.scalar(select(Delivery))
    assert (delivery.user_id, delivery.template, delivery.status) == (idle.created_by_id, "draft_unfinished", "sent")
    sent = wx.calls("subscribe_send")[0]["data"]
    assert sent["template_id"] == "sbx-tmpl-draft-unfinished"
    assert sent["data"]["thing1"]["value"] == "皮带输送机自动纠偏装置"
    assert "继续" in sent["data"]["thing2"]["value"]


def test_a_draft_submitted_before_the_event_is_handled_is_not_nudged(seeded, china_noon, wx):
    entry = idle_draft("demo-participant", 30, china_noon)
    assert nudges.nudge_unfinished() == 1
    entry.status = "submitted"
    db.session.commit()
    assert notify.handle_event(db.session.scalar(select(OutboxEvent.id))) == []


def test_no_nudges_at_night_or_once_the_window_has_closed(seeded, monkeypatch, wx):
    night = datetime.utcnow().replace(hour=15, minute=0)                # 23:00 CST
    monkeypatch.setattr(nudges, "utcnow", lambda: night)
    idle_draft("demo-participant", 48, night)
    assert nudges.nudge_unfinished() == 0
    noon = night.replace(hour=4)
    monkeypatch.setattr(nudges, "utcnow", lambda: noon)
    season = seeded["demo_season"]
    # The window is open but the participants' own deadline was yesterday: submitting is closed
    today = (noon + timedelta(hours=8)).date()
    season.settings = {**(season.settings or {}), "review.deadlines": {
        "participants": (today - timedelta(days=1)).isoformat(), "unit": (today + timedelta(days=1)).isoformat(),
        "county": season.submit_end.isoformat()}}
    db.session.commit()
    assert season.submit_start <= today <= season.submit_end
    assert nudges.nudge_unfinished() == 0
    season.settings = {k: v for k, v in season.settings.items() if k != "review.deadlines"}
    season.submit_end = (noon - timedelta(days=3)).date()
    season.submit_start = season.submit_end - timedelta(days=9)
    db.session.commit()
    assert nudges.nudge_unfinished() == 0


# (quiet_start, quiet_end, China time now, nudged?) — windows across midnight and not
QUIET = [("00:00", "07:00", 9, True), ("00:00", "07:00", 3, False), ("21:00", "08:00", 12, True),
         ("21:00", "08:00", 22, False), ("21:00", "08:00", 7, False), ("12:00", "14:00", 13, False),
         ("12:00", "14:00", 15, True), ("23:59", "00:00", 20, True)]


@pytest.mark.parametrize("start,end,china_hour,nudged", QUIET)
def test_nudges_follow_any_quiet_window(seeded, monkeypatch, start, end, china_hour, nudged):
    now = datetime.utcnow().replace(hour=(china_hour - 8) % 24, minute=30)
    monkeypatch.setattr(nudges, "utcnow", lambda: now)
    season = seeded["demo_season"]
    today = (now + timedelta(hours=8)).date()
    season.submit_start, season.submit_end = today - timedelta(days=3), today + timedelta(days=3)
    season.reminders = {**season.reminders, "quiet_start": start, "quiet_end": end}
    db.session.commit()
    idle_draft("demo-participant", 48, now)
    assert nudges.nudge_unfinished() == (1 if nudged else 0)


def test_a_proxy_entry_is_announced_to_the_agent_and_to_the_farmer(seeded, wx):
    agent, farmer_user = user("demo-estation"), User(openid="o-farmer-wang", phone="13988887777")
    db.session.add(farmer_user)
    db.session.flush()
    farmer = Person(name="王大伯", phone="13988887777", user_id=farmer_user.id)
    db.session.add(farmer)
    db.session.flush()
    entry = create_draft(agent, farmer=farmer)
    entry.title, entry.status, entry.submitted_at = "小麦秸秆打捆机改进", "submitted", datetime.utcnow()
    for uid, template in ((agent.id, "entry_submitted"), (farmer_user.id, "proxy_entry_submitted")):
        db.session.add(SubscriptionConsent(user_id=uid, template=template, remaining=1))
    event = outbox.emit("entry_submitted", entry_id=entry.id)
    db.session.commit()
    notify.handle_event(event.id)
    got = {(d.user_id, d.template, d.status) for d in db.session.scalars(select(Delivery))}
    assert got == {(agent.id, "entry_submitted", "sent"), (farmer_user.id, "proxy_entry_submitted", "sent")}
    to_farmer = next(c["data"] for c in wx.calls("subscribe_send") if c["data"]["touser"] == "o-farmer-wang")
    assert to_farmer["template_id"] == "sbx-tmpl-proxy-submitted"
    assert to_farmer["data"]["thing2"]["value"] == "北义城镇西村乡村e站"
