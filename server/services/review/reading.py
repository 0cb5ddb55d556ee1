"""Reading the review chain: an entry in full for those who may see it (its review state,
history, duplicate flags), and the submitter's "我的申报" (where each stands, why returned)."""
from __future__ import annotations

from sqlalchemy import select

from ...extensions import db
from ...forms.catalogue import label
from ...models import AuditEvent, Entry, EntryReview, User
from ...texts import t
from ...timeutil import to_china
from .. import entries as entry_service
from .. import policy
from ..shown import HIDDEN, shown_label, shown_status
from . import calendar, duplicates, route


REVIEWING = ("entry.review_unit", "entry.review_county", "entry.review_city")


def visible_entry(user: User, entry_id: int) -> Entry:
    """The entry, if the user may see it: the entry.view rows, or a reviewer acting on it now."""
    entry = db.session.get(Entry, entry_id)
    if entry is not None and any(policy.can(user, p, entry) for p in REVIEWING):
        return entry
    return entry_service.get_entry(user, entry_id)     # entry.view, else 404


def review_state(entry: Entry) -> dict | None:
    review = db.session.get(EntryReview, entry.id)
    if review is None:
        return None
    level = route.level_of(review, entry.status)
    return {"level": level, "unit_confirmed": review.unit_confirmed_at is not None,
            "returned_level": review.returned_level if entry.status == "returned" else None,
            "return_reason": review.return_reason if entry.status == "returned" else None,
            "return_fields": [{"field": f, "label": label(f)} for f in (review.return_fields or [])]
            if entry.status == "returned" else [],
            "reply_by": review.reply_by if entry.status == "returned" else None,
            "deadline": calendar.for_person(entry.season, level)}


# The scoring's own rows (who scored, the points, the panel, the award decided): only for those
# who may see results; everyone else (the submitter, the county) reads the rest of the history.
# Status rows into or out of a hidden status ('scored') go with them.
SCORING_ACTIONS = ("score_submitted", "score_revised", "panel_seat_added", "panel_seat_removed", "award_decided")


def history(entry: Entry, user: User | None = None) -> list[dict]:
    rows = db.session.execute(select(AuditEvent, User.name).outerjoin(User, User.id == AuditEvent.actor_id).where(
        AuditEvent.object_type == "entry", AuditEvent.object_id == entry.id).order_by(AuditEvent.id)).all()
    if not policy.can(user, "results.view"):
        rows = [(a, name) for a, name in rows if a.action not in SCORING_ACTIONS
                and a.from_status not in HIDDEN and a.to_status not in HIDDEN]
    shown = lambda s: shown_status(user, s) if s else s   # noqa: E731
    return [{"at": to_china(a.at).strftime("%Y-%m-%d %H:%M"), "action": a.action, "from_status": shown(a.from_status),
             "to_status": shown(a.to_status), "reason": a.reason, "data": a.data, "actor": name} for a, name in rows]


def detail(user: User, entry_id: int) -> dict:
    entry = visible_entry(user, entry_id)
    found = {"entry": entry, "review": review_state(entry), "history": history(entry, user),
             "duplicates": duplicates.flags([entry]).get(entry.id, [])}
    from ..scoring import reader_view
    return _blind(found) if reader_view(user, entry) == "blind" else found


def _blind(found: dict) -> dict:
    """A panel expert under blind review (scoring.BLIND_HIDES): the history without its people
    and their words (who filed, confirmed, returned — a unit admin's name is the unit), and no
    duplicate flags (they name other leaders)."""
    review = found["review"] and {**found["review"], "return_reason": None}
    rows = [{**row, "actor": None, "reason": None, "data": None} for row in found["history"]]
    return {**found, "review": review, "history": rows, "duplicates": []}


def returned_info(entry: Entry) -> dict | None:
    if entry.status != "returned":
        return None
    review = db.session.get(EntryReview, entry.id)
    if review is None or review.returned_level is None:
        return None
    return {"level": review.returned_level, "level_label": t(f"review.levels.{review.returned_level}"),
            "reason": review.return_reason,
            "fields": [{"field": f, "label": label(f)} for f in review.return_fields or []],
            "reply_by": review.reply_by.isoformat() if review.reply_by else None}


def mine(user: User) -> list[dict]:
    """我的申报: each entry of mine, where it stands, why it was returned, my deadline."""
    out = []
    for e in entry_service.my_entries(user):
        returned = returned_info(e)
        deadline = None
        if e.status in ("draft", "returned"):
            deadline = calendar.participant_deadline(e, route.reply_by(e)).isoformat()
        out.append({"id": e.id, "title": e.title, "status": shown_status(user, e.status),
                    "status_label": shown_label(user, e.status), "returned": returned, "deadline": deadline})
    return out


def mine_text(user: User) -> str:
    """The dialogue's 我的申报 reply."""
    items = mine(user)
    if not items:
        return t("review.mine.none")
    lines = [t("review.mine.header", count=len(items))]
    for n, item in enumerate(items, start=1):
        lines.append(t("review.mine.line", n=n, title=item["title"] or t("review.mine.untitled"),
                       status=item["status_label"]))
        r = item["returned"]
        if r:
            fields = "、".join(f["label"] for f in r["fields"]) or t("review.mine.no_fields")
            lines.append(t("review.mine.returned", level=r["level_label"], reason=r["reason"] or "",
                           fields=fields, reply_by=r["reply_by"] or "", id=item["id"]))
    return "\n".join(lines)
