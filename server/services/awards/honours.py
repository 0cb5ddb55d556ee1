"""Where a decided award goes on to its honour (RULES.md: winning units and organisation-award
winners get a certificate and a plaque, 证书、牌匾). Deciding an award (status.move, the rows with
event `award_decided`) emits an outbox event in the deciding transaction; its handler
(services/notices.HANDLERS) calls `award_decided` here, which asks the certificates service (issue 17) for
the organisation's certificate — idempotent there, so a retried job issues it once.

    award_decided(payload) -> []     payload {"object_type": "org_award" | "winner_application", "id": …}
    certificate_args(kind, obj) -> (season_id, org_id, award, notify_user_id)
"""
from __future__ import annotations

import logging

from sqlalchemy import select

from ...extensions import db
from ...models import AuditEvent, OrgAwardSheet, WinnerApplication
from ..certificates.issue import issue_for_org_award

log = logging.getLogger(__name__)

# our kind → (model, the certificates service's award code)
AWARDS = {"org_award": (OrgAwardSheet, "organisation"), "winner_application": (WinnerApplication, "winning_unit")}


def certificate_args(kind: str, obj) -> tuple[int, int, str, int | None]:
    """The certificate's holder is the organisation; the person told (and allowed to download) is
    who filed the application, or who handed the sheet in."""
    if kind == "winner_application":
        notify = obj.filed_by_id
    else:
        notify = db.session.scalar(select(AuditEvent.actor_id).where(
            AuditEvent.object_type == "org_award", AuditEvent.object_id == obj.id,
            AuditEvent.action == "org_award_submitted").order_by(AuditEvent.id.desc()).limit(1))
    return obj.season_id, obj.org_id, AWARDS[kind][1], notify


def award_decided(payload: dict) -> list:
    """The `award_decided` event: issue the organisation's certificate (no message of its own;
    the certificate's certificate_issued event tells the holder)."""
    kind = payload.get("object_type")
    if kind not in AWARDS:
        log.warning("award_decided event of unknown kind %r", kind)
        return []
    obj = db.session.get(AWARDS[kind][0], payload.get("id"))
    if obj is None or obj.status != "awarded":
        return []
    season_id, org_id, award, notify = certificate_args(kind, obj)
    issue_for_org_award(season_id, org_id, award, notify_user_id=notify)
    return []
