"""What status a reader is shown (issue 16): a decision stays invisible until the results are
final, and so does the fact that an entry's panel has finished scoring. `scored` is the city
office's working status; to anyone else (the filer, the leader, the e-station agent, an expert,
a unit or county office) such an entry is still `accepted` — 市级已受理, under review — until the
release (or the end of the publicity period) moves it to `decided`."""
from __future__ import annotations

from ..models import User
from ..texts import t
from . import policy

HIDDEN = {"scored": "accepted"}


def shown_status(user: User | None, status: str) -> str:
    if status in HIDDEN and not policy.can(user, "results.view"):
        return HIDDEN[status]
    return status


def shown_label(user: User | None, status: str) -> str:
    return t(f"catalog.statuses.{shown_status(user, status)}")
