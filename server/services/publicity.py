"""The publicity period (公示, issue 16 item 5; RULES.md: optional, N days, default off).

When the season's `publicity_days` is set, the city's release (results.release) opens the period
instead of deciding: the list of proposed awards is public (what an honour roll shows: entry,
leader, unit, award — no scores), anyone logged in may file an objection (异议) with reasons
until the period ends, the office answers each one (audited; an answer may change the entry's
award decision, with the answer as its reason), and the results become final when the period is
over — by the periodic job, or by a city admin — never while an objection is unanswered.

    set_days(actor, season, days)                         (commits; before the release only)
    state(season) -> {"phase": "none"|"publicity"|"final", ...}
    public_list(season) -> {"state", "awards": [{"award", "label", "entries": [...]}]}
    file(user, season, entry_id, reason) -> Objection                            (commits)
    answer(actor, objection_id, reply, award=None) -> Objection                  (commits)
    finalise(actor, season) -> {"decided": n, ...}    (commits; actor None = the period's end)
    finalise_due() -> [season ids made final]         (the periodic job; safe to run twice)
"""
from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import func, select

from ..errors import AppError, Conflict, NotFound, ValidationError
from ..extensions import db
from ..models import AwardDecision, Entry, Objection, Organisation, ResultRelease, Season, User
from ..texts import t
from ..timeutil import to_china, utcnow
from . import outbox, policy
from .audit import record
from .results import OFFICE_AWARDS, PUBLICITY_MAX_DAYS, award_label, finalise_rows, publicity_days, ranking
from .scoring import released

log = logging.getLogger(__name__)

REASON_MAX = 1000
ANSWER_MAX = 2000
# What an answer may do to the entry's award: set 特等奖/优秀奖, no award, or back to the grade.
ANSWER_AWARDS = (*OFFICE_AWARDS, "none", "grade")
AWARD_ORDER = ("special", "first", "second", "third", "excellent")


def _at(dt) -> str:
    return to_china(dt).strftime("%Y-%m-%d %H:%M")


def _end(dt) -> str:
    """A period ends at the end of a China day: shown as that day's last second."""
    return to_china(dt - timedelta(seconds=1)).strftime("%Y-%m-%d %H:%M:%S")


# -- the setting -------------------------------------------------------------------------------
def set_days(actor: User, season: Season, days) -> int:
    """Set the season's publicity period in days (0 = none), before the release only."""
    policy.require(actor, "results.release")
    if isinstance(days, str):
        days = days.strip()
        days = int(days) if days.isdigit() else days
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= PUBLICITY_MAX_DAYS:
        raise ValidationError("publicity.errors.days", code="publicity_days", field="publicity_days",
                              max=PUBLICITY_MAX_DAYS, got=str(days)[:20])
    # Season.settings is one JSON value several editors rewrite whole (awards/windows.py,
    # awards/rules_admin.py): read it again under the row lock, or a save at the same moment is lost.
    db.session.refresh(season, with_for_update=True)
    if released(season.id) is not None:
        raise Conflict("publicity.errors.days_after_release", code="released")
    before = publicity_days(season)
    season.settings = {**(season.settings or {}), "publicity_days": days}
    record(actor, "publicity_days_set", "season", season.id, data={"days": days, "before": before})
    db.session.commit()
    return days


# -- reading -----------------------------------------------------------------------------------
def state(season: Season, row: ResultRelease | None = None) -> dict:
    row = row if row is not None else released(season.id)
    if row is None:
        return {"phase": "none", "days": publicity_days(season), "ends_at": None, "released_at": None,
                "finalised_at": None}
    phase = "final" if row.final else "publicity"
    return {"phase": phase, "days": publicity_days(season), "released_at": row.released_at.isoformat(),
            "ends_at": row.publicity_ends_at.isoformat() if row.publicity_ends_at else None,
            "ends_at_text": _end(row.publicity_ends_at) if row.publicity_ends_at else None,
            "finalised_at": row.finalised_at.isoformat() if row.finalised_at else None,
            "released_at_text": _at(row.released_at), "finalised_at_text": _at(row.finalised_at) if row.finalised_at else None,
            "open": phase == "publicity" and utcnow() < row.publicity_ends_at}


def public_list(season: Season) -> dict:
    """The publicity list: the entries proposed for an award, by award, with what an honour roll
    shows (title, leader's name, unit, award). Empty unless the period is open or over."""
    st = state(season)
    groups: list[dict] = []
    if st["phase"] == "publicity":
        rows = [r for r in ranking(season) if r["status"] == "scored" and r["award"]]
        entries = {e.id: e for e in db.session.scalars(select(Entry).where(Entry.id.in_([r["entry_id"] for r in rows])))}
        units = {o.id: o.name for o in db.session.scalars(select(Organisation).where(
            Organisation.id.in_({e.unit_id for e in entries.values() if e.unit_id})))}
        for award in AWARD_ORDER:
            items = [{"entry_id": r["entry_id"], "title": r["title"], "category": r["category"],
                      "category_label": t(f"catalog.categories.{r['category']}") if r["category"] else "",
                      "leader": entries[r["entry_id"]].leader.name if entries[r["entry_id"]].leader else "",
                      "unit": units.get(entries[r["entry_id"]].unit_id, "")}
                     for r in rows if r["award"] == award]
            if items:
                groups.append({"award": award, "label": award_label(award), "entries": items})
    return {"season_id": season.id, "season": season.name, "state": st, "awards": groups}


def objection_out(o: Objection, *, office: bool = False) -> dict:
    entry = db.session.get(Entry, o.entry_id)
    out = {"id": o.id, "season_id": o.season_id, "entry_id": o.entry_id, "title": entry.title if entry else "",
           "reason": o.reason, "filed_at": o.created_at.isoformat(), "filed_at_text": _at(o.created_at),
           "answered": o.answered_at is not None, "answer": o.answer,
           "answered_at": o.answered_at.isoformat() if o.answered_at else None,
           "answered_at_text": _at(o.answered_at) if o.answered_at else None,
           "award_changed": o.award_changed,
           "award_after_label": award_label(o.award_after) if o.award_changed else None}
    if office:
        filer = db.session.get(User, o.filed_by_id) if o.filed_by_id else None
        out.update(filed_by=filer.name if filer else "", award_before_label=award_label(o.award_before)
                   if o.award_changed else None)
    return out


def mine(user: User) -> list[dict]:
    rows = db.session.scalars(select(Objection).where(Objection.filed_by_id == user.id).order_by(Objection.id.desc()))
    return [objection_out(o) for o in rows]


def for_office(actor: User, season: Season) -> list[dict]:
    policy.require(actor, "objection.view")
    rows = db.session.scalars(select(Objection).where(Objection.season_id == season.id)
                              .order_by(Objection.answered_at.is_not(None), Objection.id))
    return [objection_out(o, office=True) for o in rows]


def open_count(season_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Objection).where(
        Objection.season_id == season_id, Objection.answered_at.is_(None)))


# -- objections --------------------------------------------------------------------------------
def _open_period(season: Season) -> ResultRelease:
    row = released(season.id)
    if row is None or row.publicity_ends_at is None:
        raise Conflict("publicity.errors.no_period", code="no_publicity", season=season.name)
    if row.final or utcnow() >= row.publicity_ends_at:
        raise Conflict("publicity.errors.period_over", code="publicity_over", end=_end(row.publicity_ends_at))
    return row


# The free texts of an objection and its answer: field → (most characters, the message when it
# is missing, the message when it is too long).
TEXTS = {"reason": (REASON_MAX, "publicity.errors.reason_required", "publicity.errors.reason_too_long"),
         "answer": (ANSWER_MAX, "publicity.errors.answer_required", "publicity.errors.answer_too_long")}


def _required_text(value, field: str) -> str:
    """`value` stripped (str); ValidationError naming `field` when it is not text or empty
    (code <field>_required) or longer than its limit (<field>_too_long, with max)."""
    limit, missing, too_long = TEXTS[field]
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise ValidationError(missing, code=f"{field}_required", field=field)
    if len(text) > limit:
        raise ValidationError(too_long, code=f"{field}_too_long", field=field, max=limit)
    return text


def file(user: User, season: Season, entry_id, reason) -> Objection:
    """An objection to one entry on the list, with its reasons, during the period."""
    policy.require(user, "objection.file")
    reason = _required_text(reason, "reason")
    _open_period(season)
    entry = db.session.get(Entry, entry_id) if isinstance(entry_id, int) and not isinstance(entry_id, bool) else None
    if entry is None or entry.season_id != season.id or entry.status != "scored":
        raise ValidationError("publicity.errors.entry_not_listed", code="entry_not_listed", field="entry_id",
                              id=str(entry_id)[:20])
    pending = db.session.scalar(select(Objection.id).where(
        Objection.entry_id == entry.id, Objection.filed_by_id == user.id, Objection.answered_at.is_(None)))
    if pending is not None:
        raise Conflict("publicity.errors.already_pending", code="objection_pending", title=entry.title or "")
    row = Objection(season_id=season.id, entry_id=entry.id, filed_by_id=user.id, reason=reason)
    db.session.add(row)
    db.session.flush()
    record(user, "objection_filed", "entry", entry.id, reason=reason, data={"objection_id": row.id})
    db.session.commit()
    return row


def answer(actor: User, objection_id: int, reply, award: str | None = None) -> Objection:
    """The office's answer, once; `award` (optional) changes the entry's award decision with the
    answer as its reason: special / excellent / none (no award) / grade (back to the thresholds)."""
    policy.require(actor, "objection.answer")
    reply = _required_text(reply, "answer")
    award = award or None
    if award is not None and award not in ANSWER_AWARDS:
        raise ValidationError("publicity.errors.award_choice", code="award_not_allowed", field="award",
                              award=str(award)[:20])
    try:
        row = _answerable(objection_id)
    except AppError:
        db.session.rollback()                # the locks go at once, not when the request ends
        raise
    if award is not None:
        _change_award(actor, row, award, reply)
    row.answer, row.answered_by_id, row.answered_at = reply, actor.id, utcnow()
    record(actor, "objection_answered", "entry", row.entry_id, reason=reply,
           data={"objection_id": row.id, "award_changed": row.award_changed, "before": row.award_before,
                 "after": row.award_after})
    outbox.emit("objection_answered", dedupe_key=f"objection_answered:{row.id}", objection_id=row.id)
    db.session.commit()
    outbox.relay_soon()
    return row


def _answerable(objection_id: int) -> Objection:
    """The objection, locked with its season's release row (the finalisation locks that too, so
    an answer and the finalisation never overlap), if it may still be answered."""
    row = db.session.scalar(select(Objection).where(Objection.id == objection_id).with_for_update())
    if row is None:
        raise NotFound("publicity.errors.objection_unknown", code="objection_unknown", id=objection_id)
    done = db.session.scalar(select(ResultRelease).where(ResultRelease.season_id == row.season_id).with_for_update())
    if done is not None and done.final:
        raise Conflict("publicity.errors.already_final", code="already_final", at=_at(done.finalised_at))
    if row.answered_at is not None:
        raise Conflict("publicity.errors.already_answered", code="already_answered", at=_at(row.answered_at))
    return row


def _proposed(season: Season, entry_id: int) -> str | None:
    return next((r["award"] for r in ranking(season) if r["entry_id"] == entry_id), None)


def _change_award(actor: User, row: Objection, award: str, reason: str) -> None:
    entry = db.session.get(Entry, row.entry_id)
    season = entry.season
    before = _proposed(season, entry.id)
    decision = db.session.scalar(select(AwardDecision).where(AwardDecision.entry_id == entry.id))
    if award == "grade":
        if decision is not None:
            db.session.delete(decision)
    else:
        value = None if award == "none" else award
        if decision is None:
            decision = AwardDecision(entry_id=entry.id, award=value, reason=reason, decided_by_id=actor.id)
            db.session.add(decision)
        else:
            decision.award, decision.reason, decision.decided_by_id, decision.decided_at = (
                value, reason, actor.id, utcnow())
    db.session.flush()
    after = _proposed(season, entry.id)
    row.award_changed, row.award_before, row.award_after = True, before, after
    record(actor, "award_decided", "entry", entry.id, reason=reason,
           data={"award": after, "before": before, "objection_id": row.id})


# -- the end of the period ---------------------------------------------------------------------
def finalise(actor: User | None, season: Season) -> dict:
    """The results become final: refused when there is nothing to finalise, when they already
    are, while the period runs, and while an objection is unanswered. `actor` None: the job."""
    if actor is not None:
        policy.require(actor, "results.finalise")
    locked = db.session.scalar(select(Season).where(Season.id == season.id).with_for_update())
    row = db.session.scalar(select(ResultRelease).where(ResultRelease.season_id == locked.id).with_for_update())
    problem = _finalise_problem(row, locked.id)
    if problem is not None:
        db.session.rollback()                # the locks go at once, not when the request ends
        raise problem
    decided = finalise_rows(actor, locked, row)
    db.session.commit()
    outbox.relay_soon()
    return {"season_id": locked.id, "decided": decided, "awards": dict(row.summary), "final": True}


def _finalise_problem(row: ResultRelease | None, season_id: int) -> AppError | None:
    if row is None:
        return Conflict("publicity.errors.not_released", code="not_released")
    if row.final:
        return Conflict("publicity.errors.already_final", code="already_final", at=_at(row.finalised_at))
    if utcnow() < row.publicity_ends_at:
        return Conflict("publicity.errors.period_running", code="publicity_running", end=_end(row.publicity_ends_at))
    waiting = open_count(season_id)
    if waiting:
        return Conflict("publicity.errors.objections_open", code="objections_open", count=waiting)
    return None


def finalise_due() -> list[int]:
    """Every season whose period has ended and whose objections are all answered becomes final
    (the periodic job; one already final is not touched, so a second run does nothing)."""
    due = db.session.scalars(select(ResultRelease.season_id).where(
        ResultRelease.finalised_at.is_(None), ResultRelease.publicity_ends_at.is_not(None),
        ResultRelease.publicity_ends_at <= utcnow())).all()
    db.session.rollback()
    done = []
    for season_id in due:
        try:
            finalise(None, db.session.get(Season, season_id))
        except AppError as exc:                 # objections unanswered, or another run was first
            db.session.rollback()
            log.info("season %s not finalised: %s", season_id, exc.code)
            continue
        done.append(season_id)
    return done
