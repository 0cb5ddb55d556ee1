"""The status machine (DESIGN convention 11): every status change of an entry goes through
`transition`, driven by one table.

A row = (from status, action, to status, the policy action that decides who may, the phases
of the season in which it is allowed or None for any time, the outbox event or None).
Source: RULES.md — participants submit in 成果申报 (submit phase); within that window units,
then counties, review and recommend upward; DESIGN.md lists the statuses.

    transition(entry, "submit", user, data={...}) -> entry   (commits nothing; the caller does)
    EDITABLE           statuses the filer may still change (those a submit starts from)
    waiting_for()      {role: statuses} an office has to act on (reminders)
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import AppError, Conflict
from ..models import Entry, Season, User
from ..texts import t
from ..timeutil import utcnow
from . import outbox, policy
from .audit import record


@dataclass(frozen=True)
class Row:
    source: str
    action: str
    target: str
    permission: str                      # a policy action (policy.TABLE)
    phases: tuple[str, ...] | None       # season phases (models/season.py PHASES) or None
    event: str | None = None             # outbox event kind, emitted in the same transaction


TRANSITIONS: tuple[Row, ...] = (
    Row("draft", "submit", "submitted", "entry.submit", ("submit",), "entry_submitted"),
    Row("returned", "submit", "submitted", "entry.submit", ("submit",), "entry_submitted"),
    Row("draft", "withdraw", "withdrawn", "entry.withdraw", None),
    Row("returned", "withdraw", "withdrawn", "entry.withdraw", None),
    Row("submitted", "recommend", "unit_recommended", "entry.recommend_unit", ("submit",)),
    Row("submitted", "return", "returned", "entry.return", ("submit",)),
    Row("unit_recommended", "recommend", "county_recommended", "entry.recommend_county", ("submit",)),
    # Expert scoring and results (issue 16): `scored` = every panel member's sheet is in;
    # a panel change that leaves a sheet missing reopens it; the city's one release decides all.
    Row("accepted", "score", "scored", "entry.score", ("review",)),
    Row("accepted", "panel_complete", "scored", "panel.manage", None),
    Row("scored", "reopen", "accepted", "panel.manage", None),
    Row("scored", "decide", "decided", "results.release", None, "entry_decided"),
    # The review chain adds rows here (each with its policy row and a test), e.g.:
    #   unit_recommended --return--> returned            (county sends it back)
    #   submitted / unit_recommended --not_ours--> not_recommended
    #   county_recommended --accept--> accepted          (city office, review phase)
    #   accepted --score--> scored (experts) --decide--> decided (publish phase)
    #   submitted --withdraw--> withdrawn                (the filer, before a unit acts)
    #   any --ineligible--> ineligible                   (funded project found later)
    # An event for returned / recommended entries comes with its notification handler.
)

# The filer may change an entry in the statuses a submit starts from.
EDITABLE: tuple[str, ...] = tuple(dict.fromkeys(r.source for r in TRANSITIONS if r.action == "submit"))

# A wrong-status message per action where the wording existed before this table.
_CONFLICT = {"submit": ("errors.entry_locked", "entry_locked")}


def find(status: str, action: str) -> Row | None:
    return next((r for r in TRANSITIONS if r.source == status and r.action == action), None)


def check(entry: Entry, action: str, actor: User) -> Row:
    """The row for `action` from the entry's status, if the actor may take it: Conflict (409)
    when no row starts from this status, Forbidden (403) from the policy."""
    if not any(r.action == action for r in TRANSITIONS):
        raise ValueError(f"unknown status action {action!r}")
    row = find(entry.status, action)
    if row is None:
        key, code = _CONFLICT.get(action, ("errors.wrong_status", "wrong_status"))
        raise Conflict(key, code=code, status_label=t(f"catalog.statuses.{entry.status}"),
                       action_label=t(f"catalog.status_actions.{action}"))
    policy.require(actor, row.permission, entry)
    return row


def transition(entry: Entry, action: str, actor: User, reason: str | None = None,
               data: dict | None = None) -> Entry:
    """Take `action` on the entry: row, policy, phase; then the status, the audit row
    (entry_<to status>, with from/to/reason/data) and the row's outbox event, all added to the
    caller's transaction."""
    row = check(entry, action, actor)
    if row.phases:
        problem = phase_problem(entry.season, row)
        if problem:
            raise problem
    before, entry.status = entry.status, row.target
    record(actor, f"entry_{row.target}", "entry", entry.id, from_status=before, to_status=row.target,
           reason=reason, data=data)
    if row.event:
        outbox.emit(row.event, entry_id=entry.id)
    return entry


def window_problem(season: Season) -> AppError | None:
    """Why an entry cannot be submitted now (China-time window), or None when it can."""
    if season.submission_open():
        return None
    start, _ = season.phase_bounds_utc("submit")
    if utcnow() < start:
        return AppError("errors.window_not_open", code="window_not_open", status=409,
                        start=season.submit_start.isoformat(), end=season.submit_end.isoformat())
    return AppError("errors.window_closed", code="window_closed", status=409,
                    end=season.submit_end.isoformat())


def phase_problem(season: Season, row: Row) -> AppError | None:
    """Why the row cannot be taken now (outside its phases), or None when it can."""
    now = utcnow()
    bounds = [season.phase_bounds_utc(p) for p in row.phases]
    if any(start <= now < end for start, end in bounds):
        return None
    if row.action == "submit":
        return window_problem(season)    # the participant's wording: draft kept, dates shown
    windows = "、".join(f"{getattr(season, p + '_start').isoformat()} 至 {getattr(season, p + '_end').isoformat()}"
                       for p in row.phases)
    return Conflict("errors.wrong_phase", code="wrong_phase", windows=windows,
                    action_label=t(f"catalog.status_actions.{row.action}"),
                    phases="、".join(t(f"catalog.phases.{p}") for p in row.phases))


def waiting_for() -> dict[str, tuple[str, ...]]:
    """{role: statuses}: entries an office has to act on — those in a status some row starts
    from whose policy action the role holds over its subtree (for reminders)."""
    out: dict[str, dict[str, None]] = {}
    for row in TRANSITIONS:
        for role in policy.roles_with(row.permission, "subtree"):
            out.setdefault(role, {})[row.source] = None
    return {role: tuple(statuses) for role, statuses in out.items()}
