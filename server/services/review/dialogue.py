"""The submitter's side of the review chain in the dialogue (issue 15 item 6): "我的申报" lists
where each entry stands and why it was returned; "修改申报 N" (or "修改申报" with one returned
entry) reopens a returned entry at the first field the reviewer named, the others listed; the
filer edits (修改 字段名 for the rest) and submits again with 提交 — the flow's own confirm step.
The flows stay data: this opens the entry flow on the returned entry, as 继续 opens a draft."""
from __future__ import annotations

import re

from ...dialogue import flows, targets
from ...dialogue.engine import Engine, Reply, TurnResult, position
from ...forms.catalogue import label
from ...forms.parsers import normalise
from ...texts import lookup, t
from .. import entries as entry_service
from .reading import mine_text, returned_info

_REOPEN = re.compile(r"^修改申报\s*(?:编号)?\s*(\d+)?$")


def match(text: str) -> tuple[str, int | None] | None:
    word = normalise(text).rstrip("。.!！")
    if word in lookup("review.dialogue_words.mine"):
        return ("mine", None)
    found = _REOPEN.match(word)
    if found:
        return ("reopen", int(found.group(1)) if found.group(1) else None)
    return None


def run(engine: Engine, command: tuple[str, int | None]) -> TurnResult:
    name, entry_id = command
    if name == "mine":
        engine.replies.append(Reply(mine_text(engine.user)))
        return engine.result()
    returned = [e for e in entry_service.my_entries(engine.user)
                if e.status == "returned" and engine.user.id in (e.created_by_id, e.agent_id)]
    if entry_id is None:
        if len(returned) != 1:
            engine.replies.append(Reply(mine_text(engine.user) if not returned else
                                        t("review.mine.which", id=returned[0].id)))
            return engine.result()
        entry = returned[0]
    else:
        entry = next((e for e in returned if e.id == entry_id), None)
        if entry is None:
            engine.replies.append(Reply(t("review.mine.not_returned", id=entry_id)))
            return engine.result()
    reopen(engine, entry)
    return engine.result()


def reopen(engine: Engine, entry) -> None:
    key = "entry_proxy" if entry.agent_id is not None and entry.applicant_id is not None else "entry"
    engine.idle()
    engine.flow, engine.target, engine.subject = flows.get(key), targets.get("entry"), entry
    engine.target.attach(engine.conv, entry)
    engine.conv.flow = key
    info = returned_info(entry) or {"fields": [], "reason": ""}
    named = [f["field"] for f in info["fields"]]
    live = {s.field for _, s in engine.positions()}
    first = next((f for f in named if f in live), None)
    labels = "、".join(label(f) for f in named) or t("review.mine.no_fields")
    engine.replies.append(Reply(t("review.mine.reopened", title=entry.title or t("review.mine.untitled"),
                                  fields=labels, reason=info.get("reason") or "")))
    engine.ask(position(None, first) if first else "confirm", with_value=True)
