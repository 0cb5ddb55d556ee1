"""The status machine (DESIGN convention 11): every status change of an entry goes through
`transition`, driven by one table.

A row = (from status, action, to status, the policy action that decides who may, the phases
of the season in which it is allowed or None for any time, the outbox event or None).
Source: RULES.md — participants submit in 成果申报 (submit phase); within that window units,
then counties, review and recommend upward; DESIGN.md lists the statuses.

    transition(entry, "submit", user, data={...}) -> entry   (commits nothing; the caller does)
    EDITABLE           statuses the filer may still change (those a submit starts from)
    waiting_for()      {level: statuses} a reviewing level has to act on (reminders, queues)
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import AppError, Conflict
from ..models import Entry, Season, User
from ..texts import t
from ..timeutil import utcnow
from . import outbox, policy
from .shown import shown_label
from .audit import record


@dataclass(frozen=True)
class Row:
    source: str
    action: str
    target: str
    permission: str                      # a policy action (policy.TABLE)
    phases: tuple[str, ...] | None       # season phases (models/season.py PHASES) or None
    event: str | None = None             # outbox event kind, emitted in the same transaction
    level: str | None = None             # a reviewing level: phases from the season (review/calendar.py)
    timed: bool = False                  # also taken with no actor when a period ends (by_deadline)


UNIT, COUNTY, CITY = "entry.review_unit", "entry.review_county", "entry.review_city"


def _review(source: str, level: str, permission: str, upward: str) -> tuple[Row, ...]:
    """The acts of one reviewing level on an entry waiting in `source` (issue 15): pass it on,
    return it with a reason (not_ours: the unit says it is not theirs), not recommend it
    (terminal), find it ineligible (terminal, naming the RULES.md rule)."""
    event = "entry_accepted" if upward == "accepted" else "entry_recommended"
    rows = [Row(source, "accept" if upward == "accepted" else "recommend", upward, permission, None, event, level),
            Row(source, "return", "returned", permission, None, "entry_returned", level),
            Row(source, "not_recommend", "not_recommended", permission, None, "entry_not_recommended", level),
            Row(source, "ineligible", "ineligible", permission, None, "entry_not_recommended", level)]
    if level == "unit":
        rows.append(Row(source, "not_ours", "returned", permission, None, "entry_returned", level))
    return tuple(rows)


TRANSITIONS: tuple[Row, ...] = (
    Row("draft", "submit", "submitted", "entry.submit", ("submit",), "entry_submitted"),
    Row("returned", "submit", "submitted", "entry.submit", ("submit",), "entry_submitted"),
    Row("draft", "withdraw", "withdrawn", "entry.withdraw", None),
    Row("returned", "withdraw", "withdrawn", "entry.withdraw", None),
    # The filer withdraws before the city accepts (issue 15).
    Row("submitted", "withdraw", "withdrawn", "entry.withdraw", None),
    Row("unit_recommended", "withdraw", "withdrawn", "entry.withdraw", None),
    Row("county_recommended", "withdraw", "withdrawn", "entry.withdraw", None),
    # The review chain: unit → county (or industry union, or the network's county body) → city.
    # The level a row belongs to gives its phases (review/calendar.py, per season).
    *_review("submitted", "unit", UNIT, "unit_recommended"),
    *_review("unit_recommended", "county", COUNTY, "county_recommended"),
    # A unit directly under the city has no county level: the city acts on unit_recommended.
    *_review("unit_recommended", "city", CITY, "accepted"),
    *_review("county_recommended", "city", CITY, "accepted"),
    # Expert scoring and results (issue 16): `scored` = every panel member's sheet is in;
    # a panel change that leaves a sheet missing reopens it; the city's one release decides all.
    Row("accepted", "score", "scored", "entry.score", ("review",)),
    Row("accepted", "panel_complete", "scored", "panel.manage", None),
    Row("scored", "reopen", "accepted", "panel.manage", None),
    # With a publicity period (公示) the decision is taken when the period ends, by no one.
    Row("scored", "decide", "decided", "results.release", None, "entry_decided", timed=True),
)

# The organisation awards (issue 18 items 5 and 6), the same rows with the organisation concerned
# as the policy object. 优秀组织奖: the organisation fills its evidence and hands the sheet in, the
# city office scores and decides. 优胜单位 (附件5): a unit files, the county (or industry union, or
# the network's county body) gives its opinion, then the city; the city's yes is the award.
AWARD_TRANSITIONS: tuple[Row, ...] = (
    Row("open", "submit", "submitted", "orgaward.evidence", None),
    Row("submitted", "award", "awarded", "orgaward.decide", None, "award_decided"),
    Row("submitted", "not_award", "not_awarded", "orgaward.decide", None),
)
APPLICATION_TRANSITIONS: tuple[Row, ...] = (
    Row("filed", "county_approve", "county_recommended", "winner.opinion_county", None),
    Row("filed", "county_refuse", "county_refused", "winner.opinion_county", None),
    Row("county_recommended", "city_approve", "awarded", "winner.opinion_city", None, "award_decided"),
    Row("county_recommended", "city_refuse", "city_refused", "winner.opinion_city", None),
)
_TABLES = {"org_award": AWARD_TRANSITIONS, "winner_application": APPLICATION_TRANSITIONS}

# The filer may change an entry in the statuses a submit starts from.
EDITABLE: tuple[str, ...] = tuple(dict.fromkeys(r.source for r in TRANSITIONS if r.action == "submit"))

# A wrong-status message per action where the wording existed before this table.
_CONFLICT = {"submit": ("errors.entry_locked", "entry_locked")}


def find(status: str, action: str) -> Row | None:
    return next((r for r in TRANSITIONS if r.source == status and r.action == action), None)


def check(entry: Entry, action: str, actor: User) -> Row:
    """The row for `action` from the entry's status that the actor may take (of several — the
    county's and the city's acts on unit_recommended — the first the policy allows): Conflict
    (409) when no row starts from this status, Forbidden (403) from the policy."""
    if not any(r.action == action for r in TRANSITIONS):
        raise ValueError(f"unknown status action {action!r}")
    rows = [r for r in TRANSITIONS if r.source == entry.status and r.action == action]
    if not rows:
        key, code = _CONFLICT.get(action, ("errors.wrong_status", "wrong_status"))
        raise Conflict(key, code=code, status_label=shown_label(actor, entry.status),
                       action_label=t(f"catalog.status_actions.{action}"))
    for row in rows:
        if policy.can(actor, row.permission, entry):
            return row
    policy.require(actor, rows[0].permission, entry)
    return rows[0]


def transition(entry: Entry, action: str, actor: User | None, reason: str | None = None,
               data: dict | None = None, *, by_deadline: bool = False, operator: bool = False) -> Entry:
    """Take `action` on the entry: row, policy, phase; then the status, the audit row
    (entry_<to status>, with from/to/reason/data) and the row's outbox event, all added to the
    caller's transaction. `by_deadline`: no person acts — a reviewing level's deadline passed
    (review/expiry.py) or a publicity period ended (publicity.py): only a row of a level or a
    timed row applies, the audit row has no actor. `operator`: the shell operator runs a flask
    command (actor None, no one to ask the policy about): the row and its phases still apply,
    the audit row has no actor."""
    if by_deadline or operator:
        row = next((r for r in TRANSITIONS if r.source == entry.status and r.action == action
                    and (r.level or r.timed or not by_deadline)), None)
        if row is None:
            raise Conflict("errors.wrong_status", code="wrong_status", status_label=t(f"catalog.statuses.{entry.status}"),
                           action_label=t(f"catalog.status_actions.{action}"))
        problem = None if by_deadline else phase_problem(entry.season, row, entry)
        if problem:
            raise problem
    else:
        row = check(entry, action, actor)
        problem = phase_problem(entry.season, row, entry)
        if problem:
            raise problem
    before, entry.status = entry.status, row.target
    if row.target == "submitted" and entry.unit_id is not None:
        from .review.route import ensure
        ensure(entry, recompute=True)     # who reviews it, from its unit: it climbs from the unit again
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


def row_phases(season: Season, row: Row) -> tuple[str, ...] | None:
    if row.level is not None:
        from .review.calendar import phases
        return phases(season, row.level)
    return row.phases


def phase_problem(season: Season, row: Row, entry: Entry | None = None) -> AppError | None:
    """Why the row cannot be taken now (outside its phases; for a (re)submission, past the
    participants' deadline or the reply-by date of a return), or None when it can."""
    phases = row_phases(season, row)
    if not phases:
        return None
    now = utcnow()
    if row.action == "submit" and entry is not None:
        from .review.calendar import submit_closed
        from .review.route import reply_by
        opened = season.phase_bounds_utc("submit")[0] <= now
        return window_problem(season) if not opened else submit_closed(entry, reply_by(entry), now)
    bounds = [season.phase_bounds_utc(p) for p in phases]
    if any(start <= now < end for start, end in bounds):
        return None
    if row.action == "submit":
        return window_problem(season)    # the participant's wording: draft kept, dates shown
    windows = "、".join(f"{getattr(season, p + '_start').isoformat()} 至 {getattr(season, p + '_end').isoformat()}"
                       for p in phases)
    return Conflict("errors.wrong_phase", code="wrong_phase", windows=windows,
                    action_label=t(f"catalog.status_actions.{row.action}"),
                    phases="、".join(t(f"catalog.phases.{p}") for p in phases))


def waiting_for() -> dict[str, tuple[str, ...]]:
    """{level: statuses}: what each reviewing level has to act on (reminders, queues)."""
    out: dict[str, dict[str, None]] = {}
    for row in TRANSITIONS:
        if row.level is not None:
            out.setdefault(row.level, {})[row.source] = None
    return {level: tuple(statuses) for level, statuses in out.items()}


def move(kind: str, obj, action: str, actor: User, org, reason: str | None = None,
         data: dict | None = None):
    """An award's status change (kind "org_award" | "winner_application", AWARD_TRANSITIONS /
    APPLICATION_TRANSITIONS): the row from obj.status (Conflict 409 naming the status when there
    is none — out of turn, or done already), the policy on `org` (Forbidden 403), then the
    status, the audit row (<kind>_<to status>) and the row's outbox event (payload: object_type, id) in
    the caller's transaction."""
    table = _TABLES[kind]
    if not any(r.action == action for r in table):
        raise ValueError(f"unknown status action {action!r}")
    row = next((r for r in table if r.source == obj.status and r.action == action), None)
    if row is None:
        allowed = [r for r in table if r.action == action]
        policy.require(actor, allowed[0].permission, org)      # not theirs at all: 403 first
        raise Conflict("awards.errors.wrong_status", code="wrong_status",
                       status_label=t(f"awards.statuses.{obj.status}"),
                       action_label=t(f"awards.actions.{action}"))
    policy.require(actor, row.permission, org)
    before, obj.status = obj.status, row.target
    record(actor, f"{kind}_{row.target}", kind, obj.id, from_status=before, to_status=row.target,
           reason=reason, data=data)
    if row.event:
        outbox.emit(row.event, dedupe_key=f"{row.event}:{kind}:{obj.id}", object_type=kind, id=obj.id)
    return obj
