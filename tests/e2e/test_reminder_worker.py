"""A reminder slot due in a few seconds is sent by a real worker through RQ's own scheduler
(enqueue_at), once."""
from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import select

from server.extensions import db
from server.models import Delivery, ReminderSlot, SubscriptionConsent, User
from server.services import reminders
from server.services.entries import create_draft
from server.timeutil import to_china, utcnow
from server.wechat.sandbox import openid_for_code

from .processes import start, stop


def test_slot_sent_once_by_the_scheduler(seeded, wx, monkeypatch):
    season = seeded["demo_season"]
    participant = db.session.scalar(select(User).where(User.openid == openid_for_code("demo-participant")))
    create_draft(participant)
    db.session.add(SubscriptionConsent(user_id=participant.id, template="deadline_reminder", remaining=1))
    db.session.commit()
    local_hour = to_china(utcnow()).hour
    if not 8 <= local_hour < 20:      # quiet hours in China right now: make the season's quiet hours empty
        season.reminders = {**season.reminders, "quiet_start": "23:59", "quiet_end": "00:00"}
        db.session.commit()
    slots = reminders.replan(season)
    for slot in slots:
        slot.status = "done"
    slot = [s for s in slots if not s.key.startswith("review_")][-1]      # a participants' slot
    slot.status, slot.send_at = "planned", utcnow() + timedelta(seconds=3)
    db.session.commit()
    reminders.schedule(slot)
    worker = start("-m", "workers.worker", "low")
    try:
        deadline = time.time() + 40
        while time.time() < deadline:
            db.session.expire_all()
            if db.session.get(ReminderSlot, slot.id).status == "done":
                break
            time.sleep(0.5)
    finally:
        stop(worker)
    db.session.expire_all()
    assert db.session.get(ReminderSlot, slot.id).status == "done"
    assert [d.status for d in db.session.scalars(select(Delivery))] == ["sent"]
    assert len(wx.calls("subscribe_send")) == 1
