"""Rows written without the ORM's unit of work (server/db/row_writes.py): a dialogue turn's
conversation and draft are saved by hand, with the version check the ORM would make; anything
else in the session is left to the ORM's flush."""
from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from server.extensions import db
from server.models import AuditEvent, Conversation, Entry
from server.db.row_writes import write_changed_rows
from server.services import dialogue as dialogue_service

from .chat import Chat


@contextmanager
def statements():
    seen: list[str] = []

    def record(conn, cursor, statement, params, context, executemany):
        seen.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def set_columns(sql: str) -> set[str]:
    """The column names an UPDATE statement sets."""
    assignments = re.search(r" SET (.*) WHERE ", sql).group(1)
    return {part.split("=")[0].strip() for part in assignments.split(", ")}


@pytest.fixture()
def draft(client, seeded):
    """A participant's conversation, the category answered; loaded fresh in the test's session."""
    chat = Chat(client, "demo-participant")
    chat.say("申报")
    chat.say("2")
    assert chat.step == "industry"
    db.session.remove()
    conv = db.session.scalar(select(Conversation).where(Conversation.user_id == chat.user["id"]))
    return conv, conv.entry


def reload(conv_id: int, entry_id: int) -> tuple[Conversation, Entry]:
    db.session.remove()
    return db.session.get(Conversation, conv_id), db.session.get(Entry, entry_id)


def test_the_changed_columns_of_both_rows_are_written_with_the_version_check(draft):
    conv, entry = draft
    ids, versions, stamps = (conv.id, entry.id), (conv.version, entry.version), (conv.updated_at, entry.updated_at)
    conv.step, conv.history = "title", [*conv.history, "industry"]
    entry.industry = "煤炭"
    with statements() as sql:
        assert write_changed_rows(db.session, (conv, entry)) is True
    assert not db.session.dirty                           # nothing left for the commit to flush
    updates = {s.split()[1]: s for s in sql if s.startswith("UPDATE")}
    assert len(sql) == 2 and set(updates) == {"conversations", "entries"}
    assert set_columns(updates["conversations"]) == {"step", "history", "version", "updated_at"}
    assert set_columns(updates["entries"]) == {"industry", "version", "updated_at"}
    assert all(re.search(r"WHERE \w+\.id = .* AND \w+\.version = ", s) for s in updates.values())
    db.session.commit()

    conv, entry = reload(*ids)
    assert (conv.step, conv.history[-1], entry.industry) == ("title", "industry", "煤炭")
    assert (conv.version, entry.version) == (versions[0] + 1, versions[1] + 1)
    assert conv.updated_at > stamps[0] and entry.updated_at > stamps[1]


def test_a_row_saved_meanwhile_by_someone_else_is_a_conflict(draft):
    conv, entry = draft
    ids, title = (conv.id, entry.id), entry.title
    conv.step = "title"
    entry.title = "这次不该写进去"
    # As if another request had saved the draft after this one read it: the version it read is old.
    set_committed_value(entry, "version", entry.version - 1)
    with pytest.raises(StaleDataError):
        write_changed_rows(db.session, (conv, entry))
    db.session.rollback()
    conv, entry = reload(*ids)
    assert conv.step == "industry" and entry.title == title


@pytest.mark.parametrize("change", ["new row", "relationship", "third object"])
def test_anything_else_in_the_session_is_left_to_the_orm(draft, change):
    conv, entry = draft
    ids = (conv.id, entry.id)
    conv.step = "title"
    if change == "new row":
        db.session.add(AuditEvent(action="probe", object_type="entry", object_id=entry.id))
    elif change == "relationship":
        conv.entry = None
    else:
        entry.season.name += "（改）"
    with statements() as sql:
        assert write_changed_rows(db.session, (conv, entry)) is False
    assert sql == [] and conv in db.session.dirty
    db.session.commit()                                   # the ORM writes it all
    conv, _ = reload(*ids)
    assert conv.step == "title"
    assert (conv.entry_id is None) == (change == "relationship")


def test_every_plain_answer_in_a_conversation_takes_the_hand_written_path(client, seeded, monkeypatch):
    taken = []

    def spy(session, objects):
        taken.append(write_changed_rows(session, objects))
        return taken[-1]

    monkeypatch.setattr(dialogue_service, "write_changed_rows", spy)
    chat = Chat(client, "demo-participant")
    chat.say("申报")                                      # a new draft
    for answer in ("2", "煤炭", "皮带输送机自动纠偏装置"):
        chat.say(answer)
    assert chat.step == "started_on"
    # The first turn creates the draft: the ORM inserts its rows, at the commit or already when the
    # turn reads which steps are filled (an autoflush; the conversation's own update may then take
    # the hand-written path). Every answer after it does.
    assert taken[1:] == [True, True, True]
    conv = db.session.scalar(select(Conversation).where(Conversation.user_id == chat.user["id"]))
    assert conv.history == ["category", "industry", "title"]
    assert (conv.entry.category, conv.entry.industry, conv.entry.title) == ("equipment", "煤炭", "皮带输送机自动纠偏装置")
