"""Review-chain jobs: entries a level did not pass on by its deadline."""
from __future__ import annotations

from .app_context import with_app
from .periodic import repeats


@with_app
@repeats("review_deadlines")
def expire_overdue() -> int:
    from server.services.review.expiry import expire_overdue as expire
    return expire()
