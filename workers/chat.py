"""Chat jobs: answer a user's pushed messages (in order) through the customer-service API."""
from __future__ import annotations

from .app_context import with_app
from .periodic import repeats


@with_app
def process_user(openid: str) -> int:
    """Enqueued with an RQ Retry: when WeChat is unreachable the job fails and runs again."""
    from server.services.chat import handle_pending
    return handle_pending(openid)


@with_app
@repeats("chat_sweep")
def sweep_unanswered() -> int:
    """Periodic: enqueue users whose pushed messages were recorded but never picked up."""
    from server.services.chat import sweep
    from server.services.inbound import enqueue_user
    users = sweep()
    for openid in users:
        enqueue_user(openid, force=True)      # its marker may outlive a lost job
    return len(users)
