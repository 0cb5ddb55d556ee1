"""优秀组织奖 sheets (issue 18 item 5): for a county, an industry union or a unit and a season,
the ten items of RULES.md — four computed from the data (items.py), six scored by the city
office from the evidence the organisation uploaded. The organisation hands the sheet in, the
city scores every evidence item within its maximum and decides, with a reason; the decision
freezes the computed items into the sheet. Every act is audited.

    view(user, org_id, season_id) -> dict                         (orgaward.view)
    sheets(user, org_id, season_id) -> list[dict]                 (the organisations one may view)
    add_evidence(user, org_id, season_id, item_no, content, filename, note)   (orgaward.evidence)
    remove_evidence(user, evidence_id) -> OrgAwardSheet          (orgaward.evidence_remove)
    submit(user, org_id, season_id)                               (orgaward.evidence)
    score(user, org_id, season_id, item_no, value, comment)       (orgaward.score)
    decide(user, org_id, season_id, decision, reason)             (orgaward.decide)
    evidence_file(user, evidence_id) -> (path, content type, filename)
Errors: NotFound, Forbidden (policy), Conflict (status, out of turn), ValidationError (field named).
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ...config import INSTANCE_DIR
from ...errors import Conflict, NotFound, ValidationError
from ...extensions import db
from ...models import OrgAwardEvidence, OrgAwardItem, OrgAwardSheet, Organisation, Season, User
from ...texts import t
from ...timeutil import utcnow
from .. import attachments, policy, status
from ..audit import record
from ..seasons import get_season
from .items import BY_NO, EVIDENCE, ITEMS, computed

ELIGIBLE_KINDS = ("county", "industry_union", "unit")
NOTE_MAX = 1000
REASON_MAX = 500
DECISIONS = ("award", "not_award")
TENTH = Decimal("0.1")


def _name(user_id: int | None) -> str | None:
    user = db.session.get(User, user_id) if user_id else None
    return (user.name or "") if user else None


def _org(org_id: int) -> Organisation:
    org = db.session.get(Organisation, org_id) if 0 < org_id < 2 ** 31 else None
    if org is None:
        raise NotFound("awards.errors.org_not_found", code="org_not_found")
    return org


def _eligible(org: Organisation) -> None:
    if org.kind not in ELIGIBLE_KINDS:
        raise ValidationError("awards.errors.not_eligible", code="not_eligible", field="org_id", name=org.name)


def _sheet(season: Season, org: Organisation) -> OrgAwardSheet | None:
    return db.session.scalar(select(OrgAwardSheet).where(OrgAwardSheet.season_id == season.id,
                                                         OrgAwardSheet.org_id == org.id))


def _ensure(season: Season, org: Organisation) -> OrgAwardSheet:
    """The sheet, made with its ten item rows on the first act (two at once: one wins)."""
    sheet = _sheet(season, org)
    if sheet is not None:
        return sheet
    sheet = OrgAwardSheet(season_id=season.id, org_id=org.id, org=org, status="open",
                          items=[OrgAwardItem(item_no=i.no) for i in ITEMS])
    try:
        with db.session.begin_nested():
            db.session.add(sheet)
    except IntegrityError:
        sheet = _sheet(season, org)
    return sheet


def _item_no(value) -> int:
    try:
        no = int(str(value))
    except ValueError:
        no = 0
    if no not in BY_NO:
        raise ValidationError("awards.errors.item_no", code="bad_item", field="item", value=str(value)[:20])
    return no


def _evidence_item(value) -> int:
    no = _item_no(value)
    if no not in EVIDENCE:
        raise ValidationError("awards.errors.computed_item", code="computed_item", field="item", no=no,
                              label=BY_NO[no].label)
    return no


def _scope(user: User, org_id: int, season_id: int, action: str) -> tuple[Organisation, Season]:
    org = _org(org_id)
    policy.require(user, action, org)
    _eligible(org)
    return org, get_season(season_id)


def _registry_hint(org: Organisation, no: int) -> str | None:
    """What the registry already says for an evidence item (item 1: the four-party body flag)."""
    if no != 1:
        return None
    said = {True: "yes", False: "no", None: "unknown"}[org.four_party]
    return t("awards.basis.four_party_registry", value=t(f"awards.basis.four_party_{said}"))


def view(user: User, org_id: int, season_id: int) -> dict:
    """The sheet as shown: every item with its maximum, source, score and how it was reached
    (computed: the figure and the rule; evidence: the files, the note, the city's comment), the
    subtotals and the total out of 100, the status and the decision."""
    org, season = _scope(user, org_id, season_id, "orgaward.view")
    sheet = _sheet(season, org)
    rows = {r.item_no: r for r in (sheet.items if sheet else [])}
    frozen = sheet is not None and sheet.status in ("awarded", "not_awarded")
    live = {} if frozen else computed(org, season)
    items = []
    for item in ITEMS:
        row = rows.get(item.no)
        out = {"no": item.no, "key": item.key, "label": item.label, "max": item.max, "source": item.source,
               "source_label": t(f"awards.sources.{item.source}"), "note": row.note if row else None,
               "comment": row.comment if row else None, "scored_at": row.scored_at if row else None,
               "evidence": [{"id": e.id, "filename": e.attachment.filename, "size": e.attachment.size,
                             "content_type": e.attachment.content_type,
                             "can_remove": _removable(sheet, row) and policy.can(user, "orgaward.evidence_remove", e)}
                            for e in (row.evidence if row else [])]}
        if item.source == "computed":
            basis = (row.basis if frozen and row else None) or live.get(item.no) or {}
            out.update(score=Decimal(str(basis["score"])) if "score" in basis else None,
                       figure=basis.get("figure"), rule=basis.get("rule"))
        else:
            out.update(score=row.score if row else None, figure=_registry_hint(org, item.no), rule=None)
        items.append(out)
    part = {src: sum((i["score"] or Decimal(0) for i in items if i["source"] == src), Decimal(0)).quantize(TENTH)
            for src in ("computed", "evidence")}
    st = sheet.status if sheet else "open"
    return {"org": org, "season": season, "status": st, "status_label": t(f"awards.statuses.{st}"),
            "items": items, "computed_total": part["computed"], "evidence_total": part["evidence"],
            "total": part["computed"] + part["evidence"], "max": sum(i.max for i in ITEMS),
            "unscored": [i["no"] for i in items if i["source"] == "evidence" and i["score"] is None],
            "reason": sheet.reason if sheet else None, "decided_at": sheet.decided_at if sheet else None,
            "decided_by": _name(sheet.decided_by_id) if sheet else None,
            "submitted_at": sheet.submitted_at if sheet else None,
            "can": {"evidence": st == "open" and policy.can(user, "orgaward.evidence", org),
                    "score": st == "submitted" and policy.can(user, "orgaward.score", org),
                    "decide": st == "submitted" and policy.can(user, "orgaward.decide", org)}}


def sheets(user: User, org_id: int, season_id: int) -> list[dict]:
    """The organisations at or below org_id that have a sheet, or could (counties and industry
    unions right below, the organisation itself): [{"org", "status", "status_label", "total"}]."""
    org = _org(org_id)
    policy.require(user, "orgaward.view", org)
    season = get_season(season_id)
    started = {s.org_id: s for s in db.session.scalars(select(OrgAwardSheet).where(
        OrgAwardSheet.season_id == season.id))}
    below = list(db.session.scalars(select(Organisation).where(
        Organisation.parent_id == org.id, Organisation.kind.in_(("county", "industry_union")),
        Organisation.retired_at.is_(None)).order_by(Organisation.id)))
    nodes = {o.id: o for o in ([org] if org.kind in ELIGIBLE_KINDS else []) + below}
    for sheet in started.values():
        if org.contains(sheet.org):
            nodes.setdefault(sheet.org_id, sheet.org)
    out = []
    for node in sorted(nodes.values(), key=lambda o: (o.depth, o.id)):
        sheet = started.get(node.id)
        st = sheet.status if sheet else "open"
        out.append({"org": node, "status": st, "status_label": t(f"awards.statuses.{st}"),
                    "total": sheet.total if sheet else None})
    return out


def _text(value, field: str, limit: int, key: str) -> str | None:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    if len(text) > limit:
        raise ValidationError(f"awards.errors.{key}", code="too_long", field=field, max=limit, length=len(text))
    return text or None


def add_evidence(user: User, org_id: int, season_id: int, item_no, content: bytes | None, filename: str | None,
                 note: str | None) -> OrgAwardSheet:
    """Add a file (PDF or picture, checked by content) and/or a note to an evidence item while
    the sheet is open. Nothing is kept when any part is wrong."""
    org, season = _scope(user, org_id, season_id, "orgaward.evidence")
    no = _evidence_item(item_no)
    text = _text(note, "note", NOTE_MAX, "note_too_long")
    if not content and not text:
        raise ValidationError("awards.errors.nothing_sent", code="nothing_sent", field="file")
    sheet = _ensure(season, org)
    if sheet.status != "open":
        raise Conflict("awards.errors.wrong_status", code="wrong_status", status_label=t(f"awards.statuses.{sheet.status}"),
                       action_label=t("awards.console.upload"))
    row = next(r for r in sheet.items if r.item_no == no)
    data = {"item": no}
    if content:
        attachment = attachments.keep_file(user, content, filename or "evidence", "other")
        db.session.flush()
        row.evidence.append(OrgAwardEvidence(attachment_id=attachment.id, attachment=attachment))
        data.update(attachment=attachment.id, filename=attachment.filename)
    if text:
        row.note = text
        data["note"] = text
    db.session.flush()
    record(user, "org_award_evidence_added", "org_award", sheet.id, data=data)
    db.session.commit()
    return sheet


def _removable(sheet: OrgAwardSheet | None, row: OrgAwardItem | None) -> bool:
    """Evidence may come off until the city scores its item (and never once the sheet is decided)."""
    return sheet is not None and row is not None and row.score is None and sheet.status in ("open", "submitted")


def item_of_evidence(evidence_id: int) -> int | None:
    """The item number an evidence file is attached to (None: no such evidence)."""
    if not 0 < evidence_id < 2 ** 31:
        return None
    return db.session.scalar(select(OrgAwardItem.item_no).join(OrgAwardEvidence, OrgAwardEvidence.item_id == OrgAwardItem.id)
                             .where(OrgAwardEvidence.id == evidence_id))


def remove_evidence(user: User, evidence_id: int) -> OrgAwardSheet:
    """Take an evidence file off its item: the uploader (their own file) or the county admin
    (any file of their subtree), until the city has scored the item — Conflict after, naming
    the item. The file itself stays stored (the audit row names it); the sheet no longer shows it.
    The item row is locked so a score arriving at the same moment waits and sees the result."""
    evidence = db.session.get(OrgAwardEvidence, evidence_id) if 0 < evidence_id < 2 ** 31 else None
    if evidence is None:
        raise NotFound("awards.errors.evidence_not_found", code="evidence_not_found")
    row = db.session.get(OrgAwardItem, evidence.item_id, with_for_update=True, populate_existing=True)
    sheet = row.sheet
    if not policy.can(user, "orgaward.view", sheet.org):
        raise NotFound("awards.errors.evidence_not_found", code="evidence_not_found")
    policy.require(user, "orgaward.evidence_remove", evidence)
    if not _removable(sheet, row):
        raise Conflict("awards.errors.evidence_scored", code="evidence_scored", no=row.item_no,
                       label=BY_NO[row.item_no].label, status_label=t(f"awards.statuses.{sheet.status}"))
    record(user, "org_award_evidence_removed", "org_award", sheet.id,
           data={"item": row.item_no, "attachment": evidence.attachment_id, "filename": evidence.attachment.filename,
                 "uploaded_by": evidence.attachment.uploaded_by_id})
    db.session.delete(evidence)
    db.session.commit()
    return sheet


def submit(user: User, org_id: int, season_id: int) -> OrgAwardSheet:
    org, season = _scope(user, org_id, season_id, "orgaward.evidence")
    sheet = _ensure(season, org)
    status.move("org_award", sheet, "submit", user, org)
    sheet.submitted_at = utcnow()
    db.session.commit()
    return sheet


def _score_value(raw, item) -> Decimal:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise ValidationError("awards.errors.score_missing", code="score_missing", field="score", max=item.max)
    if isinstance(raw, bool):
        raise ValidationError("awards.errors.score_not_number", code="bad_score", field="score", value=str(raw))
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ValidationError("awards.errors.score_not_number", code="bad_score", field="score", value=str(raw)[:20])
    if not value.is_finite():
        raise ValidationError("awards.errors.score_not_number", code="bad_score", field="score", value=str(raw)[:20])
    # the range first: quantize raises InvalidOperation on a number too large for the context (1e308)
    if not 0 <= value <= item.max:
        raise ValidationError("awards.errors.score_range", code="score_range", field="score", no=item.no,
                              max=item.max, value=str(raw)[:20])
    if value != value.quantize(Decimal("0.1")):
        raise ValidationError("awards.errors.score_not_number", code="bad_score", field="score", value=str(raw)[:20])
    return value.quantize(Decimal("0.1"))


def score(user: User, org_id: int, season_id: int, item_no, value, comment: str | None) -> OrgAwardSheet:
    """The city office scores an evidence item (0 … its maximum, one decimal) of a handed-in
    sheet; a second score replaces the first, both audited."""
    org, season = _scope(user, org_id, season_id, "orgaward.score")
    no = _evidence_item(item_no)
    item = BY_NO[no]
    points = _score_value(value, item)
    text = _text(comment, "comment", NOTE_MAX, "note_too_long")
    sheet = _sheet(season, org)
    if sheet is None or sheet.status != "submitted":
        st = sheet.status if sheet else "open"
        if st == "open":
            raise Conflict("awards.errors.not_submitted", code="not_submitted")
        raise Conflict("awards.errors.wrong_status", code="wrong_status", status_label=t(f"awards.statuses.{st}"),
                       action_label=t("awards.console.save_score"))
    row = next(r for r in sheet.items if r.item_no == no)
    before = row.score
    row.score, row.comment, row.scored_by_id, row.scored_at = points, text, user.id, utcnow()
    record(user, "org_award_item_scored", "org_award", sheet.id,
           data={"item": no, "score": str(points), "before": str(before) if before is not None else None,
                 "comment": text})
    db.session.commit()
    return sheet


def decide(user: User, org_id: int, season_id: int, decision, reason) -> OrgAwardSheet:
    """The city's decision, with its reason, once every evidence item is scored: the computed
    items are frozen with their figures, the total kept, and an award goes on to its honour."""
    org, season = _scope(user, org_id, season_id, "orgaward.decide")
    if decision not in DECISIONS:
        raise ValidationError("awards.errors.decision", code="bad_decision", field="decision", value=str(decision)[:20])
    text = _text(reason, "reason", REASON_MAX, "reason_too_long")
    if not text:
        raise ValidationError("awards.errors.reason_missing", code="reason_missing", field="reason")
    sheet = _sheet(season, org)
    if sheet is None:
        raise Conflict("awards.errors.not_submitted", code="not_submitted")
    if sheet.status == "submitted":
        missing = [r.item_no for r in sheet.items if r.item_no in EVIDENCE and r.score is None]
        if missing:
            raise Conflict("awards.errors.unscored", code="unscored", items="、".join(map(str, missing)))
    live = computed(org, season) if sheet.status == "submitted" else {}
    status.move("org_award", sheet, decision, user, org, reason=text)
    for row in sheet.items:
        if row.item_no in live:
            basis = live[row.item_no]
            row.basis = {**basis, "score": str(basis["score"])}
            row.score = basis["score"]
    sheet.total = sum((r.score or Decimal(0) for r in sheet.items), Decimal(0)).quantize(TENTH)
    sheet.reason, sheet.decided_by_id, sheet.decided_at = text, user.id, utcnow()
    db.session.flush()
    record(user, "org_award_total", "org_award", sheet.id, data={"total": str(sheet.total), "decision": decision})
    db.session.commit()
    return sheet


def evidence_file(user: User, evidence_id: int):
    """(path, content type, filename) of an evidence file whose sheet the user may view; 404
    otherwise (its existence is not revealed)."""
    evidence = db.session.get(OrgAwardEvidence, evidence_id) if 0 < evidence_id < 2 ** 31 else None
    if evidence is None:
        raise NotFound("awards.errors.evidence_not_found", code="evidence_not_found")
    sheet = db.session.get(OrgAwardItem, evidence.item_id).sheet
    if not policy.can(user, "orgaward.view", sheet.org):
        raise NotFound("awards.errors.evidence_not_found", code="evidence_not_found")
    a = evidence.attachment
    return INSTANCE_DIR / a.storage_key, a.content_type, a.filename
