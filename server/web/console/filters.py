"""Template helpers of the console: China time, audit rows in words."""
from __future__ import annotations

import json

from ...texts import lookup
from ...timeutil import to_china
from . import bp


@bp.app_template_filter("china")
def china(dt) -> str:
    return to_china(dt).strftime("%Y-%m-%d %H:%M") if dt else ""


@bp.app_template_filter("audit_detail")
def audit_detail(data) -> str:
    if not data:
        return ""
    changes = data.get("changes") if isinstance(data, dict) else None
    if changes:
        labels = lookup("console.field_labels")
        return "；".join(f"{labels.get(k, k)}: {_short(old)} → {_short(new)}" for k, (old, new) in changes.items())
    return json.dumps(data, ensure_ascii=False)[:200]


def _short(value) -> str:
    if value is None or value == [] or value == {}:
        return "—"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:39] + "…"


@bp.app_template_global("action_label")
def action_label(action: str) -> str:
    return lookup("console.audit_actions").get(action, action)


@bp.app_template_global("t_list")
def t_list(key: str) -> list:
    """A list kept in the message templates (a table's column headings)."""
    return list(lookup(key))
