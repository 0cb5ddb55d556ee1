"""An entry as reviewers read it on the console: every field that applies, in the forms' order,
with its label and the text people read (the same display the dialogue's summary uses), and
its files (pictures shown inline by the console; downloads judged by attachments.readable)."""
from __future__ import annotations

from ...forms.applicability import applies
from ...forms.catalogue import entry_steps, label
from ...forms.types import Context, answer_type, display
from ...forms.values import get_value, leader_photo
from ...models import Entry, User
from ...timeutil import china_today


def fields(user: User, entry: Entry) -> list[dict]:
    ctx = Context(user=user, entry=entry, season=entry.season, today=china_today())
    out = []
    for step in entry_steps():
        if answer_type(step).needs_upload:
            continue
        if not applies(step, lambda f: get_value(entry, f)):
            continue
        value = get_value(entry, step.field)
        shown = display(step, value, ctx) if value not in (None, "", []) else ""
        out.append({"field": step.field, "label": label(step.field), "value": shown})
    return out


def files(entry: Entry) -> list[dict]:
    photo = leader_photo(entry)
    found = ([photo] if photo is not None else []) + list(entry.attachments)
    return [{"id": a.id, "kind": a.kind, "filename": a.filename, "size": a.size,
             "image": a.content_type.startswith("image/")} for a in found]
