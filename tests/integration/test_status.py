"""The status machine: each row, a wrong status (409), a denial (403), the phase, the audit
row and the outbox event in the caller's transaction; and through HTTP and the chat."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from server.errors import AppError, Conflict, Forbidden
from server.extensions import db
from server.models import AuditEvent, Entry, Expert, OutboxEvent, PanelSeat, User
from server.services import entries as entry_service
from server.services import status
from server.services.review import route
from server.timeutil import china_today
from server.wechat.sandbox import openid_for_code

from ..helpers import auth_header, login
from .chat import Chat, to_confirm

ACTOR = {   # the policy action of a row → who takes it in these tests
    "entry.submit": "demo-participant",
    "entry.withdraw": "demo-participant",
    "entry.review_unit": "demo-unit-admin",
    "entry.review_county": "demo-county-admin",
    "entry.review_city": "demo-city-admin",
    "entry.score": "demo-expert",
    "panel.manage": "demo-city-admin",
    "results.release": "demo-city-admin",
}


def on_panel(entry: Entry, code: str) -> None:
    """Scoring rows: the expert sits on the entry's panel, in the review phase."""
    expert = Expert(user_id=user(code).id, categories=[], industries=[])
    db.session.add(expert)
    db.session.flush()
    db.session.add(PanelSeat(season_id=entry.season_id, entry_id=entry.id, expert_id=expert.id))
    entry.season.review_start, entry.season.review_end = china_today(), china_today() + timedelta(days=1)


def user(code: str) -> User:
    return db.session.scalar(select(User).where(User.openid == openid_for_code(code)))


def draft() -> Entry:
    """A participant's bare draft at 晋城示范煤机制造有限公司 (城区), committed."""
    entry = entry_service.create_draft(user("demo-participant"))
    db.session.commit()
    return entry


def audits(entry: Entry) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.object_id == entry.id, AuditEvent.to_status.is_not(None),
        AuditEvent.from_status.is_not(None)).order_by(AuditEvent.id)))


def events() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxEvent))


def test_derived_views_of_the_table():
    assert status.EDITABLE == ("draft", "returned")
    assert status.waiting_for() == {"unit": ("submitted",), "county": ("unit_recommended",),
                                    "city": ("unit_recommended", "county_recommended")}


@pytest.mark.parametrize("row", status.TRANSITIONS, ids=lambda r: f"{r.source}-{r.action}")
def test_each_row(seeded, row):
    entry = draft()
    entry.status = row.source                 # test setup: put the entry where the row starts
    review = route.ensure(entry)
    if row.level == "city" and row.source == "unit_recommended":
        review.county_org_id = None           # a unit directly under the city: no county level
    if row.permission == "entry.score":
        on_panel(entry, ACTOR[row.permission])
    db.session.commit()
    before = events()
    status.transition(entry, row.action, user(ACTOR[row.permission]), reason="理由", data={"k": 1})
    db.session.commit()
    assert db.session.get(Entry, entry.id).status == row.target
    audit = audits(entry)[-1]
    assert (audit.action, audit.from_status, audit.to_status) == (f"entry_{row.target}", row.source, row.target)
    assert audit.reason == "理由" and audit.data == {"k": 1} and audit.actor_id == user(ACTOR[row.permission]).id
    assert events() == before + (1 if row.event else 0)


def test_the_review_chain_in_order(seeded):
    entry = draft()
    participant, unit, county = user("demo-participant"), user("demo-unit-admin"), user("demo-county-admin")
    status.transition(entry, "submit", participant)
    status.transition(entry, "return", unit, reason="请补充数据")
    status.transition(entry, "submit", participant)
    status.transition(entry, "recommend", unit)
    status.transition(entry, "recommend", county)
    db.session.commit()
    assert [(a.from_status, a.to_status) for a in audits(entry)] == [
        ("draft", "submitted"), ("submitted", "returned"), ("returned", "submitted"),
        ("submitted", "unit_recommended"), ("unit_recommended", "county_recommended")]
    event = db.session.scalars(select(OutboxEvent).where(OutboxEvent.kind == "entry_submitted")).all()
    assert len(event) == 2 and event[0].payload == {"entry_id": entry.id}


def test_an_action_from_a_wrong_status_is_a_conflict_in_chinese(seeded):
    entry = draft()
    participant = user("demo-participant")
    with pytest.raises(Conflict) as wrong:
        status.transition(entry, "recommend", user("demo-unit-admin"))
    assert wrong.value.status == 409 and wrong.value.code == "wrong_status"
    assert "草稿" in wrong.value.message and "推荐" in wrong.value.message
    status.transition(entry, "submit", participant)
    entry.status = "accepted"                                   # test setup: the city accepted it
    with pytest.raises(Conflict) as wrong:
        status.transition(entry, "withdraw", participant, reason="abandon")
    assert wrong.value.code == "wrong_status" and "不能放弃" in wrong.value.message
    entry.status = "submitted"
    with pytest.raises(Conflict) as wrong:                        # the wording submit always had
        status.transition(entry, "submit", participant)
    assert wrong.value.code == "entry_locked" and "已提交" in wrong.value.message
    with pytest.raises(ValueError):
        status.transition(entry, "approve", participant)           # no such action: a bug


def test_policy_denial_is_403_and_changes_nothing(seeded):
    entry = draft()
    with pytest.raises(Forbidden) as denied:
        status.transition(entry, "submit", user("demo-unit-admin"))      # not the filer
    assert denied.value.status == 403 and "填报人" in denied.value.message
    status.transition(entry, "submit", user("demo-participant"))
    for code in ("demo-county-admin-zezhou", "demo-participant", "demo-county-admin"):
        with pytest.raises(Forbidden) as denied:                          # unit level is the unit's
            status.transition(entry, "recommend", user(code))
        assert denied.value.code == "review_not_allowed"
    assert entry.status == "submitted"


def test_audit_and_event_roll_back_with_the_status(seeded):
    entry = draft()
    before_audits, before_events = len(audits(entry)), events()
    status.transition(entry, "submit", user("demo-participant"))
    db.session.flush()
    assert len(audits(entry)) == before_audits + 1 and events() == before_events + 1
    db.session.rollback()                                        # the caller's transaction fails
    assert db.session.get(Entry, entry.id).status == "draft"
    assert len(audits(entry)) == before_audits and events() == before_events


def test_phase_outside_the_window(seeded):
    entry = draft()
    season = entry.season
    today = china_today()
    season.submit_start, season.submit_end = today - timedelta(days=10), today - timedelta(days=1)
    db.session.commit()
    with pytest.raises(AppError) as closed:
        status.transition(entry, "submit", user("demo-participant"))
    assert closed.value.code == "window_closed" and closed.value.status == 409 and "截止" in closed.value.message
    entry.status = "submitted"                                   # test setup
    route.ensure(entry)
    with pytest.raises(Conflict) as closed:
        status.transition(entry, "recommend", user("demo-unit-admin"))
    assert closed.value.code == "wrong_phase" and "申报阶段" in closed.value.message
    season.submit_start, season.submit_end = today + timedelta(days=1), today + timedelta(days=5)
    entry.status = "draft"
    with pytest.raises(AppError) as early:
        status.transition(entry, "submit", user("demo-participant"))
    assert early.value.code == "window_not_open" and "还没开始" in early.value.message
    db.session.rollback()
    status.transition(entry, "withdraw", user("demo-participant"), reason="abandon")   # any time
    assert entry.status == "withdrawn"


def test_http_submit_and_scope(client, seeded):
    chat = Chat(client, "demo-participant")
    chat.say("申报")
    entry_id = chat.last["entry_id"]
    to_confirm(chat)
    other_county = auth_header(login(client, "demo-county-admin-zezhou")["token"])
    assert client.post(f"/api/v1/entries/{entry_id}/submit", headers=other_county).status_code == 404
    unit_admin = auth_header(login(client, "demo-unit-admin")["token"])
    res = client.post(f"/api/v1/entries/{entry_id}/submit", headers=unit_admin)
    assert res.status_code == 404          # a draft is not the unit's to read until it is submitted

    res = client.post(f"/api/v1/entries/{entry_id}/submit", headers=chat.headers)
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["status"] == "submitted"
    entry = db.session.get(Entry, entry_id)
    assert entry.submitted_at is not None
    audit = audits(entry)[-1]
    assert (audit.action, audit.from_status, audit.to_status) == ("entry_submitted", "draft", "submitted")
    assert audit.data == {"agent": False}
    res = client.post(f"/api/v1/entries/{entry_id}/submit", headers=chat.headers)
    assert res.status_code == 409 and res.get_json()["error"]["code"] == "entry_locked"
    assert client.get(f"/api/v1/entries/{entry_id}", headers=other_county).status_code == 404
    assert client.get(f"/api/v1/entries/{entry_id}", headers=unit_admin).status_code == 200


def test_abandon_in_the_chat_goes_through_the_machine(client, seeded):
    chat = Chat(client, "demo-participant")
    chat.say("申报")
    entry_id = chat.last["entry_id"]
    chat.say("放弃")
    chat.say("是")
    entry = db.session.get(Entry, entry_id)
    assert entry.status == "withdrawn"
    audit = audits(entry)[-1]
    assert (audit.action, audit.from_status, audit.to_status, audit.reason) == (
        "entry_withdrawn", "draft", "withdrawn", "abandon")
