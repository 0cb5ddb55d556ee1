"""How a stored value is shown back to people (查看, the confirm step)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from ..extensions import db
from ..models import Organisation
from ..texts import lookup
from .answers import Context, options_for
from .flow import Step


def display(step: Step, value, ctx: Context) -> str:
    if value is None:
        return ""
    if step.type == "unit":
        org = db.session.get(Organisation, value)
        return org.name if org else str(value)
    if step.type == "choice":
        labels = {o.code: o.label for o in options_for(step, ctx)}
        return labels.get(value, str(value))
    if step.type == "yesno":
        return lookup("dialogue.yes_no_options")[0 if value else 1]
    if step.type == "gender":
        return lookup("catalog.genders").get(value, value)
    if step.type == "amount":
        return lookup("dialogue.amount_display").format(amount=f"{Decimal(value).normalize():f}")
    if step.type == "photo":
        return lookup("dialogue.uploaded")
    if step.type == "attachments":
        return lookup("dialogue.attachment_count").format(count=len(value))
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
