"""Accepting what WeChat pushes: a fast Redis dedupe, a durable row (whose unique key is the
real dedupe), then a job for the user's queue. If Redis is down the row waits for the sweep."""
from __future__ import annotations

import logging
from datetime import datetime, timezone

from redis.exceptions import RedisError
from rq import Retry
from sqlalchemy.exc import IntegrityError

from ..extensions import db, queue, redis_client
from ..models import InboundMessage
from ..wechat.push import Pushed

log = logging.getLogger(__name__)
SEEN_TTL = 3600


def accept(pushed: Pushed) -> bool:
    """Record a pushed message once; True when it is new."""
    try:
        if not redis_client().set(f"wx:seen:{pushed.msg_key}", 1, nx=True, ex=SEEN_TTL):
            return False
    except RedisError:
        log.warning("redis unavailable for dedupe; relying on the database")
    row = InboundMessage(msg_key=pushed.msg_key, openid=pushed.openid, msg_type=pushed.msg_type,
                         event=pushed.event, content=pushed.content, media_id=pushed.media_id,
                         sent_at=datetime.fromtimestamp(pushed.create_time, timezone.utc).replace(tzinfo=None))
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    enqueue_user(pushed.openid)
    return True


QUEUED_TTL = 600


def queued_marker(openid: str) -> str:
    return f"chat:queued:{openid}"


def enqueue_user(openid: str, force: bool = False) -> None:
    """Queue a job for this user unless one is already waiting: a job answers every pending
    message of its user, so a burst of messages needs one job, not one each. The job clears
    the marker before it reads the messages (services/chat.py), so none is left behind."""
    try:
        if not force and not redis_client().set(queued_marker(openid), 1, nx=True, ex=QUEUED_TTL):
            return
        queue("high").enqueue("workers.chat.process_user", openid, job_timeout=120, result_ttl=300,
                              retry=Retry(max=4, interval=[5, 30, 120, 600]))
    except RedisError:
        log.warning("redis unavailable; inbound message for %s waits for the sweep", openid[:6] + "…")
