"""One dialogue turn in one transaction: the conversation row is locked (SELECT … FOR UPDATE
on PostgreSQL; on SQLite the version column detects a concurrent turn and the turn is run
again), the engine runs, and the conversation and the draft are committed together."""
from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from ..dialogue.engine import Engine, Reply, TurnResult
from ..errors import AppError
from ..extensions import db
from ..models import Conversation, User
from ..db.row_writes import write_changed_rows
from ..texts import lookup, t
from . import attachments, content, outbox, policy
from . import dialogue_targets, scoring_dialogue  # noqa: F401  (registers the targets the flows name)

ATTEMPTS = 5


# The draft comes in the same query; only the conversation row is locked. Built once: every
# turn runs it (see services/auth.py on why).
_LOCKED_CONVERSATION = (select(Conversation).where(Conversation.user_id == bindparam("uid"))
                        .options(joinedload(Conversation.entry)).with_for_update(of=Conversation))


def _conversation(user: User) -> Conversation:
    conv = db.session.scalar(_LOCKED_CONVERSATION, {"uid": user.id})
    if conv is None:
        conv = Conversation(user_id=user.id, history=[], skipped=[])
        db.session.add(conv)
        db.session.flush()
    return conv


def _run(user_id: int, action, after=None) -> TurnResult:
    """Run one turn and commit it. `after(result)` adds to the same transaction (the chat
    channel records its replies and marks the pushed message done, all or nothing)."""
    return content.run_checked(user_id, lambda verdicts: _run_once(user_id, action, after, verdicts))


def _run_once(user_id: int, action, after, verdicts: dict) -> TurnResult:
    for attempt in range(ATTEMPTS):
        try:
            user = db.session.get(User, user_id)
            engine = Engine(user, _conversation(user), verdicts, can=policy.can)
            result = action(engine)
            if after is not None:
                after(result)
            write_changed_rows(db.session, (engine.conv, engine.subject))
            db.session.commit()
            if result.done:
                outbox.relay_soon()
            return result
        except (StaleDataError, IntegrityError):
            # Another turn of the same user committed first: run this one on its result.
            db.session.rollback()
            if attempt == ATTEMPTS - 1:
                raise AppError("errors.conflict", code="conflict", status=409)
        except Exception:
            db.session.rollback()
            raise
    raise AssertionError("unreachable")


def current(user: User, after=None) -> TurnResult:
    return _run(user.id, lambda engine: engine.pending_question(), after)


def send_text(user: User, text: str, after=None) -> TurnResult:
    return _run(user.id, lambda engine: engine.handle_text(text), after)


def send_image(user: User, content: bytes, filename: str, after=None) -> TurnResult:
    def act(engine: Engine) -> TurnResult:
        step = engine.conv.step
        if engine.entry is None or step not in ("leader.photo", "attachments") or engine.conv.paused:
            engine.replies.append(Reply(t("dialogue.image_not_expected")))
            return engine.pending_question() if engine.entry else engine.result()
        kind = "photo" if step == "leader.photo" else "image"
        stored = attachments.store(engine.user, engine.entry, content, filename, kind)
        if kind == "photo":
            engine.replies.append(Reply(t("dialogue.photo_not_portrait" if stored.portrait is False
                                          else "dialogue.photo_received")))
            engine.conv.history = [*engine.conv.history, step]
            engine.ask()
        else:
            count = len([a for a in engine.entry.attachments if a.kind != "photo"])
            engine.replies.append(Reply(t("dialogue.attachment_received", count=count),
                                        list(lookup("dialogue.attachment_options"))))
        return engine.result()
    return _run(user.id, act, after)

