"""The WeChat customer-service channel: run a user's pushed messages through the dialogue
engine in the order they were sent, and send the replies within WeChat's rules (after a
user's message: at most 5 messages within 48 hours; the rest wait for their next message).

- System events (a subscribe message was sent, a popup was answered, a media check result, a
  location report, card and invoice events, …) are recorded and answered with nothing, and
  they open no 48-hour window: only what the user did (a message, entering the chat) does.
- A reply is claimed (pending → sending, committed) before WeChat is called: a worker killed
  mid-send leaves it "sending" (maybe sent), never sent twice.
- Replies not yet sent when a later turn of the same user answered are superseded: after a
  burst or an outage the user gets the answer to their latest message, not a backlog."""
from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import func, or_, select, update

from ..dialogue.engine import Reply, TurnResult
from ..errors import AppError, RetryLater
from ..extensions import db, redis_client
from ..models import InboundMessage, OutboundMessage, User
from ..texts import t
from ..timeutil import utcnow
from ..wechat import gateway
from ..wechat.client import WeChatError, WeChatUnreachable
from . import consents, dialogue
from .chat_lock import UserLock

log = logging.getLogger(__name__)
WINDOW = timedelta(hours=48)
WINDOW_MESSAGES = 5
CHUNK = 600                    # characters per chat bubble
OUT_OF_WINDOW = (45015, 45047)
# Events the user made by acting in the chat; every other event is WeChat reporting something.
CONVERSATION_EVENTS = ("user_enter_tempsession",)
# Replies that count against the five allowed: sent, or maybe sent (claimed, then no answer).
COUNTED = ("sent", "sending", "unknown")


def _user_acted():
    """Inbound rows that are the user's own doing (they open the 48-hour window)."""
    return or_(InboundMessage.msg_type != "event", InboundMessage.event.in_(CONVERSATION_EVENTS))


def user_for(openid: str) -> User:
    user = db.session.scalar(select(User).where(User.openid == openid))
    if user is None:
        user = User(openid=openid)
        db.session.add(user)
        db.session.flush()
    return user


def bubbles(replies: list[Reply]) -> list[str]:
    """Replies as chat bubbles: options become a line to reply with; long text is split."""
    out = []
    for reply in replies:
        text = reply.text
        if reply.options:
            text += "\n" + t("chat.options", options=" / ".join(reply.options))
        while len(text) > CHUNK:
            cut = text.rfind("\n", 0, CHUNK)
            cut = cut if cut > CHUNK // 3 else CHUNK
            out.append(text[:cut])
            text = text[cut:].lstrip("\n")
        out.append(text)
    return out


def _record(row: InboundMessage, outcome: str):
    def after(result: TurnResult | None, texts: list[str] | None = None):
        for text in texts if texts is not None else bubbles(result.replies):
            db.session.add(OutboundMessage(openid=row.openid, inbound_id=row.id, text=text))
        row.processed_at, row.outcome = utcnow(), outcome
    return after


def process(row: InboundMessage) -> None:
    """One pushed message → one engine turn, its replies and the row marked done, together."""
    user = user_for(row.openid)
    db.session.commit()
    after = _record(row, "answered")
    try:
        if row.msg_type in ("text", "voice") and row.content:
            dialogue.send_text(user, row.content, after)
        elif row.msg_type == "image" and row.media_id:
            content = gateway().download_media(row.media_id)
            dialogue.send_image(user, content, f"{row.media_id}.jpg", after)
        elif row.msg_type == "event" and row.event in CONVERSATION_EVENTS:
            dialogue.current(user, after)
        elif row.msg_type == "event":
            _system_event(user, row)
        else:
            _record(row, "ignored")(None, [t("chat.unsupported")])
            db.session.commit()
            log.info("ignored pushed %s/%s", row.msg_type, row.event)
    except (WeChatUnreachable,) as exc:
        raise RetryLater(str(exc))
    except WeChatError as exc:           # e.g. 40007: the picture expired before we fetched it
        log.warning("media download failed: %s", exc)
        _record(row, "failed")(None, [t("chat.image_failed")])
        db.session.commit()
    except AppError as exc:              # a picture of the wrong kind, a closed window …
        db.session.rollback()
        _record(row, "answered")(None, [exc.message])
        db.session.commit()


def _system_event(user: User, row: InboundMessage) -> None:
    """Recorded, never answered. A subscribe-message popup carries the user's choice for each
    template: accepted ones become consents (so counts do not hang on the mini-program)."""
    if row.event == "subscribe_msg_popup_event" and row.content:
        consents.record_popup(user, _json_list(row.content))
    _record(row, "recorded")(None, [])
    db.session.commit()


def _json_list(text: str) -> list:
    import json
    try:
        value = json.loads(text)
    except ValueError:
        return []
    return value if isinstance(value, list) else []


def handle_pending(openid: str) -> int:
    """Process this user's pushed messages in order, one worker at a time, then deliver."""
    from .inbound import queued_marker
    with UserLock(openid):
        # Cleared before reading: a message recorded from now on queues a job of its own.
        redis_client().delete(queued_marker(openid))
        done = 0
        while True:
            row = db.session.scalar(select(InboundMessage).where(
                InboundMessage.openid == openid, InboundMessage.processed_at.is_(None))
                .order_by(InboundMessage.sent_at, InboundMessage.id).limit(1))
            if row is None:
                break
            _typing(openid)
            try:
                process(row)
            except RetryLater:
                raise
            except Exception:
                # A bug must not wedge this user's queue behind one message: answer it with an
                # apology, mark it failed (kept for inspection) and go on with the next.
                log.exception("chat turn failed for inbound message %s", row.id)
                db.session.rollback()
                _record(row, "failed")(None, [t("errors.internal")])
                db.session.commit()
            done += 1
        deliver(openid)
        return done


def _typing(openid: str) -> None:
    try:
        gateway().typing(openid)
    except WeChatError:
        pass                             # only a courtesy


def window_allows(openid: str) -> int:
    """How many more messages WeChat allows now (0 when outside the 48-hour window)."""
    last_in = db.session.scalar(select(func.max(InboundMessage.sent_at)).where(
        InboundMessage.openid == openid, _user_acted()))
    if last_in is None or utcnow() - last_in > WINDOW:
        return 0
    sent = db.session.scalar(select(func.count()).select_from(OutboundMessage).where(
        OutboundMessage.openid == openid, OutboundMessage.status.in_(COUNTED),
        OutboundMessage.sent_at >= last_in))
    return max(WINDOW_MESSAGES - sent, 0)


def _supersede(rows: list[OutboundMessage]) -> list[OutboundMessage]:
    """Unsent replies of turns older than the newest turn with replies are dropped (kept as
    "superseded"); replies not tied to a turn (notifications) stay."""
    latest = max((r.inbound_id for r in rows if r.inbound_id is not None), default=None)
    keep = []
    for row in rows:
        if row.inbound_id is not None and row.inbound_id != latest:
            row.status = "superseded"
        else:
            keep.append(row)
    db.session.commit()
    return keep


def _claim(row_id: int) -> bool:
    """pending/waiting → sending, committed before WeChat is called (at most once)."""
    claimed = db.session.execute(update(OutboundMessage).where(
        OutboundMessage.id == row_id, OutboundMessage.status.in_(("pending", "waiting"))).values(
        status="sending", attempts=OutboundMessage.attempts + 1, sent_at=utcnow())).rowcount
    db.session.commit()
    return bool(claimed)


def _settle(row_id: int, **values) -> None:
    db.session.execute(update(OutboundMessage).where(OutboundMessage.id == row_id).values(**values))
    db.session.commit()


def deliver(openid: str) -> int:
    """Send the current replies in order; what WeChat does not allow now waits."""
    rows = _supersede(list(db.session.scalars(select(OutboundMessage).where(
        OutboundMessage.openid == openid, OutboundMessage.status.in_(("pending", "waiting")))
        .order_by(OutboundMessage.id))))
    pending = [(r.id, r.text) for r in rows]
    allowed, sent = window_allows(openid), 0
    for row_id, text in pending:
        if allowed <= 0:
            _settle(row_id, status="waiting")
            continue
        if not _claim(row_id):
            continue                     # another run took it
        try:
            gateway().send_text(openid, text)
        except WeChatUnreachable as exc:
            if exc.maybe_sent:           # it may have arrived: never send it again
                _settle(row_id, status="unknown", last_error=f"no answer: {exc}"[:200])
                allowed -= 1
                continue
            _settle(row_id, status="pending", sent_at=None, last_error=str(exc)[:200])
            raise RetryLater(str(exc))
        except WeChatError as exc:
            error = f"{exc.errcode}: {exc.errmsg}"[:200]
            if exc.errcode in OUT_OF_WINDOW:
                _settle(row_id, status="waiting", sent_at=None, last_error=error)
                allowed = 0
            elif exc.errcode == -1:
                _settle(row_id, status="pending", sent_at=None, last_error=error)
                raise RetryLater(error)
            else:
                _settle(row_id, status="failed", sent_at=None, last_error=error)
            continue
        _settle(row_id, status="sent", sent_at=utcnow())
        allowed -= 1
        sent += 1
    return sent


def sweep(older_than_seconds: int = 60) -> list[str]:
    """Users with pushed messages nobody picked up (Redis was down when they arrived)."""
    cutoff = utcnow() - timedelta(seconds=older_than_seconds)
    return list(db.session.scalars(select(InboundMessage.openid).where(
        InboundMessage.processed_at.is_(None), InboundMessage.received_at < cutoff).distinct()))
