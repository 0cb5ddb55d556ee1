"""Chat jobs: answer a user's pushed messages (in order) through the customer-service API."""
from __future__ import annotations

from .app_context import with_app


@with_app
def process_user(openid: str) -> int:
    """Enqueued with an RQ Retry: when WeChat is unreachable the job fails and runs again."""
    from server.services.chat import handle_pending
    return handle_pending(openid)


@with_app
def sweep_unanswered() -> int:
    """Periodic: enqueue users whose pushed messages were recorded but never picked up."""
    from rq import Queue

    from server.extensions import redis_client
    from server.services.chat import sweep
    from server.services.inbound import enqueue_user
    from .periodic import schedule_next
    users = sweep()
    for openid in users:
        enqueue_user(openid, force=True)      # its marker may outlive a lost job
    schedule_next(Queue("low", connection=redis_client()), "chat_sweep")
    return len(users)
