"""Subscribe-message consents (WeChat: one consent allows one message of that template): what
the mini-program reports (POST /subscriptions) and what WeChat's subscribe_msg_popup_event
says the user chose. Notifications spend them (notify.py); the chat records popup events."""
from __future__ import annotations

from sqlalchemy import select

from ..errors import ValidationError
from ..extensions import db
from ..models import SubscriptionConsent, User
from ..texts import lookup

POPUP_CHOICES = ("accept", "reject")


def templates() -> dict:
    return lookup("subscribe.templates")


def template_key_for_id(template_id: str) -> str | None:
    return next((k for k, v in templates().items() if v["id"] == template_id), None)


def _locked(user: User, key: str) -> SubscriptionConsent:
    """The user's consent row for a template, locked, made when there is none."""
    consent = db.session.scalar(select(SubscriptionConsent).where(
        SubscriptionConsent.user_id == user.id, SubscriptionConsent.template == key).with_for_update())
    if consent is None:
        consent = SubscriptionConsent(user_id=user.id, template=key, remaining=0)
        db.session.add(consent)
    return consent


def record_consents(user: User, template_ids: list[str]) -> dict[str, int]:
    """One more allowed message per template id given; ValidationError (nothing stored) for an
    id that is not one of ours. Commits."""
    keys = []
    for tid in template_ids:
        key = template_key_for_id(tid)
        if key is None:
            raise ValidationError("errors.unknown_template", code="unknown_template", field="template_ids",
                                  template_id=tid[:64])
        keys.append(key)
    counts = {}
    for key in keys:
        consent = _locked(user, key)
        consent.remaining += 1
        counts[key] = consent.remaining
    db.session.commit()
    return counts


def record_popup(user: User, choices: list) -> dict[str, str]:
    """WeChat's subscribe_msg_popup_event: the user's choice per template. An accepted one
    allows one more message; a rejected one is remembered. Unknown templates are skipped (an
    old mini-program version may ask for one we no longer send). Commits nothing."""
    recorded = {}
    for item in choices:
        if not isinstance(item, dict):
            continue
        key, choice = template_key_for_id(str(item.get("template_id"))), item.get("status")
        if key is None or choice not in POPUP_CHOICES:
            continue
        consent = _locked(user, key)
        if choice == "accept":
            consent.remaining += 1
        consent.last_choice = choice
        recorded[key] = choice
    db.session.flush()
    return recorded
