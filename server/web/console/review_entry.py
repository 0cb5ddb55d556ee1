"""One entry in full for its reviewer (issue 15 item 5): every field, the leader's photo and the
pictures shown inline, files downloadable only by those who may see the entry
(attachments.readable, as the API), the review state and history, its duplicates, and the
actions — confirm ours / not ours, recommend or accept, return with a reason, named fields and
a reply-by date, not recommend, ineligible naming the rule — through review/actions.py."""
from __future__ import annotations

from flask import g, redirect, render_template, request, send_file, url_for

from ...services import attachments
from ...services.review import actions, reading, shown
from ...forms.catalogue import label
from ...texts import lookup, t
from . import bp
from .review import action_form, require_reviewer, return_fields, run_action


def render_entry(entry_id: int, result: dict | None = None, form: dict | None = None, status_code: int = 200):
    require_reviewer()
    found = reading.detail(g.user, entry_id)         # 404 unless the user may see it
    entry = found["entry"]
    return render_template(
        "console/review_entry.html", entry=entry, review=found["review"], history=found["history"],
        duplicates=found["duplicates"], fields=shown.fields(g.user, entry), files=shown.files(entry),
        result=result, form=form or {}, action_labels=lookup("review.actions"), rules=actions.rules(),
        field_choices=return_fields(), kinds=lookup("console.review.file_kinds"),
        levels=lookup("review.levels"), statuses=lookup("catalog.statuses"), history_detail=history_detail), status_code


def history_detail(data) -> list[str]:
    """A history row's data in words (level, named fields, reply-by, rule), not as JSON."""
    if not isinstance(data, dict):
        return []
    shown = {"level": lambda v: lookup("review.levels").get(v, v),
             "fields": lambda v: "、".join(label(f) for f in v or []) or "—",
             "rule": lambda v: actions.rules().get(v, v)}
    known = lookup("console.review.detail")
    return [t(f"console.review.detail.{k}", value=shown.get(k, str)(v)) for k, v in data.items()
            if k in known and v not in (None, "", [])]


@bp.get("/review/entries/<int:entry_id>")
def review_entry(entry_id: int):
    return render_entry(entry_id, result={"ok": True} if request.args.get("done") else None,
                        form={"action": request.args.get("done", "")})


@bp.post("/review/entries/<int:entry_id>")
def review_entry_act(entry_id: int):
    require_reviewer()
    reading.visible_entry(g.user, entry_id)
    form = action_form()
    results, problem = run_action([entry_id], form)
    if problem is None and results[0]["ok"]:
        return redirect(url_for("console.review_entry", entry_id=entry_id, done=form["action"]))
    form["error"] = problem or results[0]["error"]["message"]
    return render_entry(entry_id, result=None, form=form, status_code=400 if problem else 409)


@bp.get("/attachments/<int:attachment_id>")
def attachment_file(attachment_id: int):
    path, content_type, filename = attachments.readable(g.user, attachment_id)
    inline = content_type.startswith("image/") and not request.args.get("download")
    return send_file(path, mimetype=content_type, download_name=filename, as_attachment=not inline)
