"""Expert scoring (issue 16): an expert's assignments, one score sheet per entry on the rubric
(server/forms/rubric.py), revisions until the review phase ends or the results are released
(each audited), and the other experts' sheets only after one's own.

    assignments(user) -> [entry as the expert sees it (blind when the season says so), ...]
    submit(user, entry_id, criteria, comment) -> Score        (commits)
    sheets(user, entry_id) -> {"mine", "others"} | all sheets for the office
"""
from __future__ import annotations

from sqlalchemy import select

from ..errors import Conflict, Forbidden, NotFound, ValidationError
from ..extensions import db
from ..forms.rubric import rubric_for
from ..forms.values import leader_photo
from ..models import Entry, Expert, Organisation, PanelSeat, ResultRelease, Score, User
from ..texts import lookup, t
from ..timeutil import utcnow
from . import panels, policy
from .audit import record
from .conflicts import conflict_reason, expert_of

COMMENT_MAX = 2000


def require_expert(user: User) -> Expert:
    expert = expert_of(user)
    if expert is None or not expert.active:
        raise Forbidden("scoring.errors.not_expert", code="not_expert")
    return expert


def get_entry(entry_id: int, *, lock: bool = False) -> Entry:
    query = select(Entry).where(Entry.id == entry_id)
    entry = db.session.scalar(query.with_for_update(of=Entry) if lock else query)
    if entry is None:
        raise NotFound("scoring.errors.entry_unknown", code="entry_unknown", id=entry_id)
    return entry


def require_seat(expert: Expert, entry: Entry) -> None:
    """The conflict rule first (it names the reason), then the panel."""
    reason = conflict_reason(expert, entry)
    if reason:
        raise Forbidden("scoring.errors.conflicted", code="conflicted",
                        reason=t(f"scoring.conflict_reasons.{reason}"))
    seat = db.session.scalar(select(PanelSeat.id).where(PanelSeat.entry_id == entry.id,
                                                        PanelSeat.expert_id == expert.id))
    if seat is None:
        raise Forbidden("scoring.errors.not_assigned", code="not_assigned")


def released(season_id: int) -> ResultRelease | None:
    return db.session.scalar(select(ResultRelease).where(ResultRelease.season_id == season_id))


def scoring_problem(entry: Entry) -> Exception | None:
    """Why no sheet can be written for the entry now, or None."""
    if released(entry.season_id) is not None:
        return Conflict("scoring.errors.released", code="released")
    if entry.status not in panels.SCORABLE:
        return Conflict("scoring.errors.not_scorable", code="not_scorable",
                        status=t(f"catalog.statuses.{entry.status}"))
    start, end = entry.season.phase_bounds_utc("review")
    if not start <= utcnow() < end:
        return Conflict("scoring.errors.scoring_closed", code="scoring_closed",
                        start=entry.season.review_start.isoformat(), end=entry.season.review_end.isoformat())
    return None


def save(user: User, expert: Expert, entry: Entry, criteria, comment: str | None) -> Score:
    """Check and store one sheet in the caller's transaction (the API and the dialogue)."""
    require_seat(expert, entry)
    policy.require(user, "entry.score", entry)
    problem = scoring_problem(entry)
    if problem:
        raise problem
    clean, total = rubric_for(entry.season).check(criteria, entry.benefit_kind)
    comment = (comment or "").strip() or None
    if comment and len(comment) > COMMENT_MAX:
        raise ValidationError("scoring.errors.comment_too_long", code="comment_too_long", field="comment",
                              max=COMMENT_MAX)
    score = db.session.scalar(select(Score).where(Score.entry_id == entry.id, Score.expert_id == expert.id))
    if score is None:
        score = Score(season_id=entry.season_id, entry_id=entry.id, expert_id=expert.id, criteria=clean,
                      total=total, comment=comment, revision=1)
        db.session.add(score)
        action = "score_submitted"
    else:
        if score.criteria == clean and score.comment == comment:
            return score                          # the same sheet again: nothing to record
        score.criteria, score.total, score.comment = clean, total, comment
        score.revision += 1
        action = "score_revised"
    db.session.flush()
    record(user, action, "entry", entry.id,
           data={"expert_id": expert.id, "criteria": clean, "total": total, "comment": comment,
                 "revision": score.revision})
    panels.sync_status(user, entry, "score")
    return score


def submit(user: User, entry_id: int, criteria, comment: str | None) -> Score:
    expert = require_expert(user)
    entry = get_entry(entry_id, lock=True)        # one sheet at a time per entry (status change)
    score = save(user, expert, entry, criteria, comment)
    db.session.commit()
    return score


def blind(entry: Entry) -> bool:
    """Season setting `blind_review` (default off): experts see nothing that names or finds the
    applicant (BLIND_HIDES)."""
    return bool(entry.season.setting("blind_review", False))


# What blind review (盲评) keeps from a panel expert, on every surface (the assignments, the
# entry API, the review detail API, the console pages, downloads): whatever names the applicant
# or leads to them — the leader's name and personal data, the photo, the unit, the filer and
# the person responsible, the e-station agent, the files' own names, the review history's people
# and words, the entries flagged as duplicates, and the patent number (a public register finds
# the patentee by it). Whether a patent was granted and when stays: the rubric weighs it.
BLIND_HIDES = ("leader", "leader.photo", "unit", "filled_by", "responsible_person", "agent_id", "applicant",
               "attachments.filename", "patent.number", "history.actor", "history.reason", "history.data",
               "review.return_reason", "duplicates")


def patent_out(entry: Entry, hidden: bool) -> dict:
    """The patent as this reader sees it: under blind review without its number."""
    return {"granted": entry.patent_granted, "number": None if hidden else entry.patent_number,
            "announced_on": entry.patent_announced_on.isoformat() if entry.patent_announced_on else None}


def sheet_out(score: Score | None) -> dict | None:
    if score is None:
        return None
    return {"criteria": score.criteria, "total": score.total, "comment": score.comment,
            "revision": score.revision, "updated_at": score.updated_at.isoformat()}


def _neutral_name(n: int, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    return f"{lookup('scoring.blind.attachment')}{n}.{ext}"


def blind_attachment_name(user: User, entry_id: int, attachment) -> str | None:
    """The file name this reader may see for an attachment reached through entry_id: a panel
    expert under blind review gets a neutral name and no person's file (the leader's photo,
    None); everyone else the real name."""
    entry = get_entry(entry_id)
    if reader_view(user, entry) != "blind":
        return attachment.filename
    if attachment.entry_id != entry.id:
        return None
    n = next((i for i, a in enumerate(entry.attachments, 1) if a.id == attachment.id), 0)
    return _neutral_name(n, attachment.filename)


def expert_entry(entry: Entry, expert: Expert | None = None) -> dict:
    """The entry as an expert reads it: the facts the rubric judges; with blind review on,
    nothing of BLIND_HIDES (no leader or unit name, no photo, no patent number, attachments
    renamed)."""
    hidden = blind(entry)
    unit = db.session.get(Organisation, entry.unit_id) if entry.unit_id else None
    rubric = rubric_for(entry.season)
    photo = None if hidden else leader_photo(entry)
    attachments = []
    for n, a in enumerate(entry.attachments, 1):
        name = _neutral_name(n, a.filename) if hidden else a.filename
        attachments.append({"id": a.id, "kind": a.kind, "filename": name, "content_type": a.content_type})
    mine = None
    if expert is not None:
        mine = db.session.scalar(select(Score).where(Score.entry_id == entry.id, Score.expert_id == expert.id))
    return {
        "id": entry.id, "season_id": entry.season_id, "title": entry.title, "category": entry.category,
        "industry": entry.industry, "summary": entry.summary, "started_on": entry.started_on,
        "completed_on": entry.completed_on,
        "patent": patent_out(entry, hidden),
        "benefit": {"kind": entry.benefit_kind,
                    "amount": float(entry.benefit_amount) if entry.benefit_amount is not None else None,
                    "description": entry.benefit_description,
                    "suggested_band": rubric.suggest_benefit(entry.benefit_kind, entry.benefit_amount)},
        "unit": lookup("scoring.blind.unit") if hidden else (unit.name if unit else None),
        "leader": lookup("scoring.blind.leader") if hidden else (entry.leader.name if entry.leader else None),
        "leader_photo": photo.id if photo else None,
        "attachments": attachments,
        "blind": hidden,
        "bands": {c.code: [{"code": b.code, "label": b.label, "min": b.min, "max": b.max}
                           for b in rubric.bands_for(c.code, entry.benefit_kind)] for c in rubric.criteria},
        "my_score": sheet_out(mine),
        "open": scoring_problem(entry) is None,
    }


def assigned_entries(expert: Expert) -> list[Entry]:
    """The expert's panels, conflicts left out (a conflict declared later closes the entry)."""
    entries = db.session.scalars(select(Entry).join(PanelSeat, PanelSeat.entry_id == Entry.id)
                                 .where(PanelSeat.expert_id == expert.id).order_by(Entry.id)).all()
    return [e for e in entries if conflict_reason(expert, e) is None]


def assignments(user: User) -> list[dict]:
    expert = require_expert(user)
    policy.require(user, "score.start")
    return [expert_entry(e, expert) for e in assigned_entries(expert)]


def sheets(user: User, entry_id: int) -> dict:
    """The panel's sheets: for an expert only once their own is in (others unnamed); for the
    office all of them with the experts' names."""
    entry = get_entry(entry_id)
    expert = expert_of(user)
    rows = db.session.execute(select(Score, Expert).join(Expert, Expert.id == Score.expert_id)
                              .join(PanelSeat, (PanelSeat.entry_id == Score.entry_id)
                                    & (PanelSeat.expert_id == Score.expert_id))
                              .where(Score.entry_id == entry.id).order_by(Score.id)).all()
    on_panel = expert is not None and db.session.scalar(select(PanelSeat.id).where(
        PanelSeat.entry_id == entry.id, PanelSeat.expert_id == expert.id)) is not None
    if on_panel:
        require_seat(expert, entry)
        policy.require(user, "scores.view", entry)
        mine = next((s for s, e in rows if e.id == expert.id), None)
        if mine is None:
            raise Forbidden("scoring.errors.own_score_first", code="own_score_first")
        return {"mine": sheet_out(mine),
                "others": [sheet_out(s) for s, e in rows if e.id != expert.id]}
    policy.require(user, "scores.view", entry)
    return {"sheets": [{**sheet_out(s), "expert_id": e.id, "expert": e.user.name} for s, e in rows]}


def reader_view(user: User, entry: Entry) -> str | None:
    """How an expert on the entry's panel reads it through the general entry API: "blind"
    (the season's blind review: nothing of BLIND_HIDES) or
    "expert" (names shown, personal data such as the phone withheld); None for everyone else."""
    expert = expert_of(user)
    if expert is None or entry.created_by_id == user.id:
        return None
    seat = db.session.scalar(select(PanelSeat.id).where(PanelSeat.entry_id == entry.id,
                                                        PanelSeat.expert_id == expert.id))
    if seat is None:
        return None
    return "blind" if blind(entry) else "expert"


def expert_view(user: User, entry_id: int) -> dict:
    """One assigned entry as the expert reads it (the console's scoring page)."""
    expert = require_expert(user)
    entry = get_entry(entry_id)
    require_seat(expert, entry)
    policy.require(user, "entry.view", entry)
    return expert_entry(entry, expert)


def expert_attachment(user: User, entry_id: int, attachment_id: int):
    """(path, content type, file name as the expert sees it) of an attachment of an assigned
    entry, or the leader's photo when the review is not blind; 404 otherwise."""
    from ..config import INSTANCE_DIR
    from ..models import Attachment
    view = expert_view(user, entry_id)
    shown = {a["id"]: a["filename"] for a in view["attachments"]}
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is not None and attachment_id == view["leader_photo"]:
        shown[attachment_id] = attachment.filename
    if attachment is None or attachment_id not in shown:
        raise NotFound("errors.attachment_not_found", code="attachment_not_found")
    return INSTANCE_DIR / attachment.storage_key, attachment.content_type, shown[attachment_id]


def form_problems(entry_id: int, criteria: dict) -> dict[str, str]:
    """Every wrong criterion of a sheet for this entry at once ({API field: message}), for a
    form that shows each next to its field; submit() is still the judge."""
    entry = get_entry(entry_id)
    return rubric_for(entry.season).problems(criteria, entry.benefit_kind)


def closed_reason(entry_id: int) -> str | None:
    problem = scoring_problem(get_entry(entry_id))
    return problem.message if problem else None
