"""Aggregation, ranking, the office's award decisions and the one release (issue 16).

Aggregate of an entry = the experts' totals combined by the season's method (setting
`aggregation`: mean (default), median or trimmed_mean — one highest and one lowest dropped when
three or more), rounded half-up to a whole number before grading (RULES.md; the unrounded figure
is shown), spread = highest − lowest, flagged when the spread exceeds the season's gap (setting
`disagreement_gap`, default 10). Grades from the thresholds (rubric.yaml grades, or the season's
`grade_thresholds`); 特等奖 and 优秀奖 are the office's decisions, each with a reason.

    ranking(season) -> [row, ...]   (pure over the scores; no permission: callers check)
    decide(actor, entry_id, award | None, reason) -> decision | None   (commits; None takes it back)
    release(actor, season) -> {"decided": n, "awards": {...}}      (commits, once)
    finalise_rows(actor, season, release_row)    entries decided (the caller commits; publicity.py)
"""
from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from fractions import Fraction

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..errors import Conflict, ValidationError
from ..extensions import db
from ..forms.rubric import grade_for, grade_thresholds
from ..models import AwardDecision, Entry, PanelSeat, ResultRelease, Score, Season, User
from ..texts import lookup
from ..timeutil import china_day_end_utc, china_today, to_china, utcnow
from . import outbox, panels, policy, status
from .audit import record
from .scoring import get_entry, released

METHODS = ("mean", "median", "trimmed_mean")
OFFICE_AWARDS = ("special", "excellent")


def combine(totals: list[int], method: str) -> Fraction | None:
    """The experts' totals combined, exactly (no float rounding before the half-up rule)."""
    if not totals:
        return None
    values = sorted(totals)
    if method == "median":
        n, mid = len(values), len(values) // 2
        return Fraction(values[mid]) if n % 2 else Fraction(values[mid - 1] + values[mid], 2)
    if method == "trimmed_mean" and len(values) >= 3:
        values = values[1:-1]
    return Fraction(sum(values), len(values))


def round_half_up(value: Fraction) -> int:
    return int((value + Fraction(1, 2)).__floor__())


def method_of(season: Season) -> str:
    method = season.setting("aggregation", "mean")
    if method not in METHODS:
        raise ValidationError("scoring.errors.aggregation_unknown", code="aggregation_unknown",
                              field="aggregation", name=str(method)[:20])
    return method


def ranking(season: Season) -> list[dict]:
    """Every scorable or decided entry of the season with its figures, best first, with its
    rank overall and in its category (equal rounded aggregates share a rank)."""
    method, gap = method_of(season), int(season.setting("disagreement_gap", 10))
    thresholds = grade_thresholds(season)
    entries = db.session.execute(
        select(Entry.id, Entry.title, Entry.category, Entry.status, Entry.award)
        .where(Entry.season_id == season.id, Entry.status.in_((*panels.SCORABLE, "decided")))).all()
    totals: dict[int, list[int]] = defaultdict(list)
    for entry_id, total in db.session.execute(
            select(Score.entry_id, Score.total).join(PanelSeat, (PanelSeat.entry_id == Score.entry_id)
                                                     & (PanelSeat.expert_id == Score.expert_id))
            .where(Score.season_id == season.id)):
        totals[entry_id].append(total)
    seats: dict[int, int] = defaultdict(int)
    for (entry_id,) in db.session.execute(select(PanelSeat.entry_id).where(PanelSeat.season_id == season.id)):
        seats[entry_id] += 1
    decisions = {d.entry_id: d for d in db.session.scalars(
        select(AwardDecision).join(Entry, Entry.id == AwardDecision.entry_id).where(Entry.season_id == season.id))}
    rows = []
    for entry_id, title, category, entry_status, award in entries:
        scores = sorted(totals.get(entry_id, []))
        value = combine(scores, method)
        rounded = round_half_up(value) if value is not None else None
        complete = bool(scores) and len(scores) == seats.get(entry_id, 0)
        grade = grade_for(rounded, thresholds) if complete else None
        decision = decisions.get(entry_id)
        rows.append({
            "entry_id": entry_id, "title": title, "category": category, "status": entry_status,
            "totals": scores, "panel": seats.get(entry_id, 0), "complete": complete,
            "mean": _show(combine(scores, "mean")), "median": _show(combine(scores, "median")),
            "trimmed_mean": _show(combine(scores, "trimmed_mean")),
            "aggregate": _show(value), "rounded": rounded, "method": method,
            "spread": (scores[-1] - scores[0]) if scores else None,
            "flagged": bool(scores) and scores[-1] - scores[0] > gap,
            "grade": grade,
            "decision": {"award": decision.award, "reason": decision.reason} if decision else None,
            "award": (decision.award if decision else grade) if complete else None,
            "released_award": award if entry_status == "decided" else None,
            "_sort": value if value is not None else Fraction(-1)})
    rows.sort(key=lambda r: (-r["_sort"], r["entry_id"]))
    _rank(rows, "rank")
    by_category = defaultdict(list)
    for r in rows:
        by_category[r["category"]].append(r)
    for group in by_category.values():
        _rank(group, "category_rank")
    for r in rows:
        del r["_sort"]
    return rows


def _show(value: Fraction | None) -> float | None:
    return None if value is None else round(float(value), 2)


def _rank(rows: list[dict], key: str) -> None:
    """Competition ranking on the unrounded aggregate: 1, 2, 2, 4."""
    for i, r in enumerate(rows):
        same = i > 0 and rows[i - 1]["_sort"] == r["_sort"]
        r[key] = rows[i - 1][key] if same else i + 1


def season_ranking(actor: User, season: Season) -> dict:
    policy.require(actor, "results.view")
    done = released(season.id)
    return {"season_id": season.id, "method": method_of(season),
            "gap": int(season.setting("disagreement_gap", 10)), "thresholds": grade_thresholds(season),
            "released_at": done.released_at.isoformat() if done else None,
            "publicity_days": publicity_days(season),
            "publicity_ends_at": done.publicity_ends_at.isoformat() if done and done.publicity_ends_at else None,
            "final": bool(done and done.final), "entries": ranking(season)}


def decide(actor: User, entry_id: int, award: str | None, reason: str) -> AwardDecision | None:
    """The office sets 特等奖 or 优秀奖 (award "special" | "excellent"), or takes its decision
    back (award None): the decision row goes and the entry returns to the award its panel's
    aggregate earns (the grade from the thresholds, or none below them). Returns the decision
    now in force (None after taking it back). Always with a reason (audited as `award_decided`,
    data award/before/withdrawn); only on an entry whose panel's sheets are all in, only
    before the release. Source: RULES.md "特等奖 and 优秀奖 … by committee decision".

    Raises ValidationError (award_not_allowed, reason_required), Conflict (released,
    not_scored, no_decision: nothing to take back), Forbidden (results.decide)."""
    entry = get_entry(entry_id, lock=True)
    policy.require(actor, "results.decide", entry)
    if award is not None and award not in OFFICE_AWARDS:
        raise ValidationError("scoring.errors.award_not_allowed", code="award_not_allowed", field="award",
                              award=str(award)[:20])
    if not (reason or "").strip():
        raise ValidationError("scoring.errors.award_reason_required", code="reason_required", field="reason")
    if released(entry.season_id) is not None:
        raise Conflict("scoring.errors.released", code="released")
    if entry.status != "scored":
        raise Conflict("scoring.errors.award_not_scored", code="not_scored", title=entry.title or "")
    decision = db.session.scalar(select(AwardDecision).where(AwardDecision.entry_id == entry.id))
    before = decision.award if decision else None
    if award is None:
        # An explicit "no award" row (publicity answers may write one) is a decision too: taking
        # it back deletes it, so ranking() falls back to the grade.
        if decision is None:
            raise Conflict("scoring.errors.no_decision", code="no_decision", title=entry.title or "")
        db.session.delete(decision)
        decision = None
    elif decision is None:
        decision = AwardDecision(entry_id=entry.id, award=award, reason=reason.strip(), decided_by_id=actor.id)
        db.session.add(decision)
    else:
        decision.award, decision.reason = award, reason.strip()
        decision.decided_by_id, decision.decided_at = actor.id, utcnow()
    record(actor, "award_decided", "entry", entry.id, reason=reason.strip(),
           data={"award": award, "before": before, "withdrawn": award is None})
    db.session.commit()
    return decision


def proposed_award(season: Season, entry_id: int) -> str | None:
    """The award the entry would get if released now (the office's decision, else its grade)."""
    return next((r["award"] for r in ranking(season) if r["entry_id"] == entry_id), None)


PUBLICITY_MAX_DAYS = 30


def publicity_days(season: Season) -> int:
    """The season's publicity period (setting `publicity_days`; RULES.md: optional, default off)."""
    days = season.setting("publicity_days", 0) or 0
    return days if isinstance(days, int) and 0 < days <= PUBLICITY_MAX_DAYS else 0


def release(actor: User, season: Season) -> dict:
    """The city's one release of the season, refused whole while any entry lacks its panel's
    sheets, and refused the second time. It ends score revision and panel changes. Without a
    publicity period the results are final at once (`finalise_rows`); with one (N days) the
    period opens: the list is public, objections may be filed, entries stay `scored` and
    nobody is told a result until the period is over and the results are final."""
    policy.require(actor, "results.release")
    locked = db.session.scalar(select(Season).where(Season.id == season.id).with_for_update())
    try:
        done = released(locked.id)
        if done is not None:
            raise Conflict("scoring.errors.already_released", code="already_released",
                           at=to_china(done.released_at).strftime("%Y-%m-%d %H:%M"))
        pending = _pending(ranking(locked))
        if not pending:
            raise Conflict("scoring.errors.release_nothing", code="release_nothing")
    except Conflict:
        db.session.rollback()                # the season's lock goes at once, not when the request ends
        raise
    days = publicity_days(locked)
    row = ResultRelease(season_id=locked.id, released_by_id=actor.id, summary=_summary(pending))
    db.session.add(row)
    if days:
        row.publicity_ends_at = china_day_end_utc(china_today() + timedelta(days=days))
        record(actor, "publicity_opened", "season", locked.id,
               data={"days": days, "ends_at": row.publicity_ends_at.isoformat(), "awards": row.summary})
    else:
        finalise_rows(actor, locked, row, pending)
    try:
        db.session.commit()
    except IntegrityError:                 # another release won the race: nothing of this one stays
        db.session.rollback()
        raise Conflict("scoring.errors.already_released", code="already_released", at="")
    outbox.relay_soon()
    out = {"season_id": locked.id, "decided": 0 if days else len(pending), "awards": dict(row.summary),
           "final": not days}
    if days:
        out["publicity_ends_at"] = row.publicity_ends_at.isoformat()
    return out


def blockers(rows: list[dict]) -> list[dict]:
    """The entries that keep a release from happening: not every panel member's sheet in."""
    return [r for r in rows if r["status"] in panels.SCORABLE and (r["status"] != "scored" or not r["complete"])]


def _pending(rows: list[dict]) -> list[dict]:
    missing = blockers(rows)
    if missing:
        raise Conflict("scoring.errors.release_incomplete", code="release_incomplete", count=len(missing),
                       titles="、".join((r["title"] or str(r["entry_id"])) for r in missing[:3]))
    return [r for r in rows if r["status"] in panels.SCORABLE]


def _summary(pending: list[dict]) -> dict[str, int]:
    summary: dict[str, int] = defaultdict(int)
    for r in pending:
        summary[r["award"] or "none"] += 1
    return dict(summary)


def finalise_rows(actor: User | None, season: Season, row: ResultRelease, pending: list[dict] | None = None) -> int:
    """Make the results final in the caller's transaction: each scored entry → `decided` with its
    award through the status machine (its `entry_decided` event tells its people), the release
    row final, the `results_released` event (certificates). `actor` None: the period's end did it."""
    pending = _pending(ranking(season)) if pending is None else pending
    entries = {e.id: e for e in db.session.scalars(select(Entry).where(Entry.id.in_([r["entry_id"] for r in pending]))
                                                   .with_for_update(of=Entry))}
    for r in pending:
        entry = entries[r["entry_id"]]
        entry.award = r["award"]
        status.transition(entry, "decide", actor, by_deadline=actor is None, data={
            "award": r["award"], "aggregate": r["aggregate"], "rounded": r["rounded"], "method": r["method"],
            "totals": r["totals"], "decision": r["decision"]})
    row.summary = _summary(pending)
    row.finalised_at, row.finalised_by_id = utcnow(), actor.id if actor else None
    record(actor, "results_released", "season", season.id, data=dict(row.summary))
    outbox.emit("results_released", dedupe_key=f"results_released:{season.id}", season_id=season.id)
    return len(pending)


def award_label(award: str | None) -> str:
    return lookup(f"catalog.awards.{award}") if award else lookup("scoring.no_award")
