"""A level's deadline (issue 15): what it did not pass on becomes not_recommended, audited
without an actor and notified; an entry resubmitted late after a return keeps its time; a
season whose review calendar or quotas are wrong has its reminder plan refused."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from server.errors import ValidationError
from server.extensions import db
from server.models import AuditEvent, Entry, EntryReview, OutboxEvent
from server.services import reminders
from server.services.review import calendar
from server.services.review.expiry import expire_overdue
from server.timeutil import china_day_end_utc

from ..factories import make_entry, make_review_world


def test_what_a_level_did_not_pass_on_by_its_deadline(ctx):
    world = make_review_world()
    u = world.users
    waiting = make_entry(u["p_cq"], status="submitted", season=world.season)
    at_county = make_entry(u["p_zz"], status="unit_recommended", season=world.season)
    late_return = make_entry(u["p_iu"], status="submitted", season=world.season)
    d = calendar.deadlines(world.season)
    db.session.get(EntryReview, late_return.id).reply_by = d["participants"] + timedelta(days=2)
    db.session.commit()
    assert expire_overdue(china_day_end_utc(d["unit"]) - timedelta(seconds=1)) == 0
    assert expire_overdue(china_day_end_utc(d["unit"])) == 1                    # the unit's day is over
    db.session.expire_all()
    assert db.session.get(Entry, waiting.id).status == "not_recommended"
    assert db.session.get(Entry, late_return.id).status == "submitted"          # 2 more days for it
    assert db.session.get(Entry, at_county.id).status == "unit_recommended"
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.object_id == waiting.id,
                                                       AuditEvent.to_status == "not_recommended"))
    assert audit.actor_id is None and audit.data == {"level": "unit", "by": "deadline"} and "截止" in audit.reason
    assert db.session.scalar(select(OutboxEvent).where(OutboxEvent.kind == "entry_not_recommended")).payload == {
        "entry_id": waiting.id}
    assert expire_overdue(china_day_end_utc(d["county"])) == 2                  # the county's, and the late one
    assert expire_overdue(china_day_end_utc(d["county"])) == 0                  # again: nothing more


def test_a_wrong_review_calendar_or_quota_refuses_the_plan(ctx):
    world = make_review_world()
    season = world.season
    season.settings = {"review.deadlines": {"unit": season.submit_start.isoformat()}}
    with pytest.raises(ValidationError) as refused:
        reminders.replan(season)
    assert refused.value.field == "unit" and "早于" in refused.value.message
    season.settings = {"review.quotas": {"unit": {"total": -1}}}
    with pytest.raises(ValidationError) as refused:
        reminders.replan(season)
    assert refused.value.code == "season_quotas"
