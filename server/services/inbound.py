"""Accepting what WeChat pushes: one durable row, whose unique key (MsgId, or sender and time
for events) is the dedupe, then the user is announced to the workers. The row is written with a
single INSERT ... ON CONFLICT DO NOTHING on its own connection: no ORM unit of work, and a retry
costs the same as the first try.

The web's part ends with one Redis command (RPUSH of the openid): building an RQ job costs
several times more, and the push endpoint must keep up with WeChat at peak. Each worker that
serves the `high` queue runs a dispatcher (workers/dispatcher.py) that turns announcements into
jobs, one waiting job per user. If Redis is down, or loses the list, the row waits for the
sweep.

There is deliberately no Redis "seen" key in front of the row: one set before the row is
committed turns a database stall into a lost message (WeChat's retry would be answered
`success` while the first try fails)."""
from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime, timezone

from redis.exceptions import RedisError
from rq import Retry
from sqlalchemy import bindparam, text

from ..extensions import db, queue, redis_client
from ..models import InboundMessage
from ..timeutil import utcnow
from ..wechat.push import REPLAY_WINDOW, Pushed, Rejected

log = logging.getLogger(__name__)

_COLUMNS = ("msg_key", "openid", "msg_type", "event", "content", "media_id", "sent_at", "received_at")
# Written as text because SQLAlchemy 2.0 cannot cache its dialect-specific on_conflict inserts
# (it would compile the statement on every push); SQLite and PostgreSQL share this syntax.
# The bound types keep the DateTime columns stored exactly as the ORM stores them.
_INSERT_NEW = text(
    f"INSERT INTO inbound_messages ({', '.join(_COLUMNS)}) VALUES ({', '.join(':' + c for c in _COLUMNS)}) "
    "ON CONFLICT (msg_key) DO NOTHING"
).bindparams(*(bindparam(c, type_=InboundMessage.__table__.c[c].type) for c in _COLUMNS))


def accept(pushed: Pushed) -> bool:
    """Record a pushed message once; True when it is new (and its sender was announced)."""
    content = json.dumps(pushed.subscriptions) if pushed.subscriptions else pushed.content
    values = {"msg_key": pushed.msg_key, "openid": pushed.openid, "msg_type": pushed.msg_type,
              "event": pushed.event, "content": content, "media_id": pushed.media_id,
              "sent_at": datetime.fromtimestamp(pushed.create_time, timezone.utc).replace(tzinfo=None),
              "received_at": utcnow()}
    # One statement, so no BEGIN/COMMIT around it: on PostgreSQL that is one round trip, not three.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        new = conn.execute(_INSERT_NEW, values).rowcount == 1
    if new:
        announce(pushed.openid)
    return new


def claim_nonce(nonce: str, digest: str) -> bool:
    """A plaintext push's nonce carries one body for as long as its timestamp is fresh (either
    side of now: twice the window): True when the nonce is new here, or was seen with this same
    body (WeChat's retry). Shared by every process through Redis (SET NX with expiry); with
    Redis down a plaintext push is answered 503 (WeChat retries it) rather than let a replay in."""
    key = "wechat:nonce:" + hashlib.sha256(nonce.encode()).hexdigest()[:32]
    try:
        redis = redis_client()
        if redis.set(key, digest, nx=True, ex=2 * REPLAY_WINDOW):
            return True
        seen = redis.get(key)
    except RedisError:
        raise Rejected(503, "nonce store unavailable")
    return seen is not None and seen.decode() == digest


READY = "chat:ready"


def announce(openid: str) -> None:
    try:
        redis_client().rpush(READY, openid)
    except RedisError:
        _waits_for_sweep(openid)


def dispatch_ready(block_seconds: float = 0, batch: int = 500) -> int:
    """Turn announced users into jobs; returns how many announcements were taken. Waits up to
    block_seconds for the first one (0: only what is there now)."""
    redis = redis_client()
    taken: list[bytes] = []
    if block_seconds:
        first = redis.blpop([READY], timeout=block_seconds)
        if first is None:
            return 0
        taken.append(first[1])
    taken += redis.lpop(READY, batch) or []
    for openid in dict.fromkeys(taken):          # a user announced twice needs one job
        enqueue_user(openid.decode())
    return len(taken)


QUEUED_TTL = 600


def queued_marker(openid: str) -> str:
    return f"chat:queued:{openid}"


def enqueue_user(openid: str, force: bool = False) -> None:
    """Queue a job for this user unless one is already waiting: a job answers every pending
    message of its user, so a burst of messages needs one job, not one each. The job clears
    the marker before it reads the messages (services/chat.py), so none is left behind."""
    try:
        redis = redis_client()
        if not force and not redis.set(queued_marker(openid), 1, nx=True, ex=QUEUED_TTL):
            return
        # One round trip for the whole enqueue (RQ would otherwise make two).
        with redis.pipeline() as pipe:
            queue("high").enqueue("workers.chat.process_user", openid, job_timeout=120, result_ttl=300,
                                  retry=Retry(max=4, interval=[5, 30, 120, 600]), pipeline=pipe)
            pipe.execute()
    except RedisError:
        _waits_for_sweep(openid)


def _waits_for_sweep(openid: str) -> None:
    log.warning("redis unavailable; inbound message for %s waits for the sweep", openid[:6] + "…")
