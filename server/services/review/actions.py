"""Review acts (issue 15 item 3, 5): one entry at a time or a batch in which each entry succeeds
or fails on its own, with the reason (all checks before any change; one commit). Every status change goes through the status machine
(status.py: row, policy, phase, audit, outbox event); the unit's confirmation is audited too.

    act(user, "recommend", [1, 2, 3], reason=None, fields=None, rule=None, reply_by=None)
      -> [{"entry_id", "ok", "status", "status_label", "error": {code, message, field} | None}]
"""
from __future__ import annotations

from datetime import date, timedelta

from ...errors import AppError, Conflict, NotFound, ValidationError
from ...extensions import db
from ...forms.catalogue import entry_fields, label
from ...models import Entry
from ...texts import lookup, t
from ...timeutil import china_today, utcnow
from .. import outbox, policy, status
from ..audit import record
from . import quotas, route

ACTIONS = ("confirm", "recommend", "accept", "return", "not_ours", "not_recommend", "ineligible")
NEEDS_REASON = ("return", "not_ours", "not_recommend", "ineligible")
MAX_BATCH = 1000
DEFAULT_REPLY_DAYS = 3     # season setting review.reply_days


def rules() -> dict:
    """The RULES.md rules a reviewer may find broken (review.yaml ineligible_rules)."""
    return lookup("review.ineligible_rules")


def _check_input(action: str, entry_ids: list[int], reason: str | None, fields: list[str] | None,
                 rule: str | None) -> None:
    """What is wrong with the request as a whole (nothing is changed then)."""
    if action not in ACTIONS:
        raise ValidationError("review.errors.unknown_action", code="unknown_action", field="action",
                              action=str(action)[:30], actions="、".join(ACTIONS))
    if not entry_ids:
        raise ValidationError("review.errors.no_entries", code="no_entries", field="entry_ids")
    if len(entry_ids) > MAX_BATCH:
        raise ValidationError("review.errors.batch_too_large", code="batch_too_large", field="entry_ids",
                              limit=MAX_BATCH)
    if action in NEEDS_REASON and not (reason or "").strip():
        raise ValidationError("review.errors.reason_required", code="reason_required", field="reason",
                              action_label=t(f"catalog.status_actions.{action}"))
    known = entry_fields()
    for name in fields or []:
        if name not in known:
            raise ValidationError("review.errors.unknown_field", code="unknown_field", field="fields",
                                  name=str(name)[:40])
    if fields and action != "return":
        raise ValidationError("review.errors.fields_only_on_return", code="fields_not_allowed", field="fields")
    if action == "ineligible" and rule not in rules():
        raise ValidationError("review.errors.rule_required", code="rule_required", field="rule",
                              rules="、".join(f"{k}（{v}）" for k, v in rules().items()))


def act(user, action: str, entry_ids: list[int], reason: str | None = None, fields: list[str] | None = None,
        rule: str | None = None, reply_by: date | None = None) -> list[dict]:
    """Take the action on each entry; each succeeds or fails alone, one commit. Every check on an
    entry (visibility, status row, policy, phase, quota) runs before its first change, so a
    refused entry is left exactly as it was while the others go ahead."""
    _check_input(action, entry_ids, reason, fields, rule)
    reason = (reason or "").strip() or None
    ids = list(dict.fromkeys(entry_ids))
    loaded = _prefetch(ids)         # held here: the identity map keeps only weak references
    results = []
    for entry_id in ids:
        entry = db.session.get(Entry, entry_id)
        try:
            if entry is None or not policy.can(user, "entry.view", entry) and not _acts_on(user, entry):
                raise NotFound("errors.entry_not_found", code="entry_not_found", entry_id=entry_id)
            _one(user, entry, action, reason, fields or [], rule, reply_by)
            results.append({"entry_id": entry_id, "ok": True, "status": entry.status,
                            "status_label": t(f"catalog.statuses.{entry.status}"), "error": None})
        except AppError as exc:
            current = entry.status if entry is not None else None
            results.append({"entry_id": entry_id, "ok": False, "status": current,
                            "status_label": t(f"catalog.statuses.{current}") if current else None,
                            "error": exc.to_dict()["error"]})
    db.session.commit()
    del loaded
    if any(r["ok"] for r in results):
        outbox.relay_soon()
    return results


def _prefetch(ids: list[int]) -> list:
    """Load the batch's entries (with leader and applicant), review rows and units in a few
    queries; the identity map then answers the per-entry checks without a round trip each."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload
    from ...models import EntryReview, Organisation
    entries = db.session.scalars(select(Entry).where(Entry.id.in_(ids)).options(
        selectinload(Entry.leader), selectinload(Entry.applicant))).all()
    reviews = db.session.scalars(select(EntryReview).where(EntryReview.entry_id.in_(ids))).all()
    units = {e.unit_id for e in entries if e.unit_id is not None}
    orgs = db.session.scalars(select(Organisation).where(Organisation.id.in_(units))).all() if units else []
    return [entries, reviews, orgs]


def _acts_on(user, entry: Entry) -> bool:
    """A reviewer acting at some level may read the entry (a network body's officer whose org
    is not above the unit in the tree)."""
    return any(policy.can(user, p, entry) for p in (status.UNIT, status.COUNTY, status.CITY))


WAITING = ("submitted", "unit_recommended", "county_recommended")


def _one(user, entry: Entry, action: str, reason, fields, rule, reply_by) -> None:
    from ...models import EntryReview
    review = db.session.get(EntryReview, entry.id)
    if review is None and entry.unit_id is not None and entry.status in WAITING:
        review = route.ensure(entry)        # submitted before the review chain existed: route it now
    if action == "confirm":
        return _confirm(user, entry, review)
    if review is None:                      # a draft, withdrawn, ... : the status machine says why not
        status.check(entry, action, user)
        raise Conflict("errors.wrong_status", code="wrong_status", status_label=t(f"catalog.statuses.{entry.status}"),
                       action_label=t(f"catalog.status_actions.{action}"))
    _not_again(user, entry, review, action)
    level = route.level_of(review, entry.status)
    if action in ("recommend", "accept"):
        row = status.check(entry, action, user)
        quotas.require_room(entry, row.level, route.handler(review, row.level))
    data: dict = {"level": level}
    if action in ("return", "not_ours"):
        reply = _reply_by(entry, reply_by)
        data.update(fields=["unit"] if action == "not_ours" else fields, reply_by=reply.isoformat())
    if action == "ineligible":
        data["rule"] = rule
    status.transition(entry, action, user, reason=reason, data=data)
    if level == "unit" and review.unit_confirmed_at is None and action != "not_ours":
        review.unit_confirmed_at, review.unit_confirmed_by_id = utcnow(), user.id
    if action in ("return", "not_ours"):
        review.returned_level, review.return_reason = level, reason
        review.return_fields, review.reply_by = data["fields"], reply
        if action == "not_ours":
            review.unit_confirmed_at = review.unit_confirmed_by_id = None


def _not_again(user, entry: Entry, review, action: str) -> None:
    """An entry this user's level already passed on (recommending twice): a wrong-status refusal
    naming where it stands, rather than "not yours"."""
    held = {a.org_id for a in user.roles}
    waiting = route.level_of(review, entry.status)
    if waiting is not None and route.handler(review, waiting) in held:
        return                        # the same office handles the next level too (fallbacks)
    for level, passed in quotas.PASSED.items():
        if entry.status in passed and route.handler(review, level) in held:
            raise Conflict("errors.wrong_status", code="wrong_status",
                           status_label=t(f"catalog.statuses.{entry.status}"),
                           action_label=t(f"catalog.status_actions.{action}"))


def _confirm(user, entry: Entry, review) -> None:
    """The unit's first act: "this entry is ours" (no status change; audited)."""
    if entry.status != "submitted":
        raise Conflict("errors.wrong_status", code="wrong_status", status_label=t(f"catalog.statuses.{entry.status}"),
                       action_label=t("review.actions.confirm"))
    policy.require(user, status.UNIT, entry)
    if review is None or review.unit_confirmed_at is not None:
        raise Conflict("review.errors.already_confirmed", code="already_confirmed")
    review.unit_confirmed_at, review.unit_confirmed_by_id = utcnow(), user.id
    record(user, "entry_unit_confirmed", "entry", entry.id, data={"unit_id": entry.unit_id})


def _reply_by(entry: Entry, given: date | None) -> date:
    today = china_today()
    if given is None:
        return today + timedelta(days=int(entry.season.setting("review.reply_days", DEFAULT_REPLY_DAYS)))
    if given < today:
        raise ValidationError("review.errors.reply_by_past", code="reply_by_past", field="reply_by",
                              today=today.isoformat())
    return given


def field_labels(fields: list[str] | None) -> list[dict]:
    return [{"field": f, "label": label(f)} for f in fields or []]


def withdraw(user, entry_id: int, reason: str | None = None) -> Entry:
    """The filer withdraws an entry before the city accepts it (committed)."""
    entry = db.session.get(Entry, entry_id)
    if entry is None or not policy.can(user, "entry.view", entry):
        raise NotFound("errors.entry_not_found", code="entry_not_found", entry_id=entry_id)
    status.transition(entry, "withdraw", user, reason=reason)
    db.session.commit()
    return entry
