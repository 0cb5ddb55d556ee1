"""The review chain's queue on the console (issue 15 item 5): what waits for me, with the API's
filters (category, industry, unit, status, unconfirmed unit), sorting, paging and duplicate
flags; batch actions over the ticked entries, each entry's success or refusal shown next to it.
The rules are the services' (review/queue.py, review/actions.py), shared with the API."""
from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from flask import g, render_template, request

from ...errors import AppError
from ...models.entry import STATUSES
from ...services import policy
from ...services.permissions import managed_orgs
from ...services.review import actions, queue
from ...texts import lookup, t
from . import bp, nav

nav.page("review", "console.review_queue", "console.nav.review", "entry.review_unit", order=30)

FILTERS = ("status", "category", "industry", "unit", "unconfirmed", "sort", "order", "page")
PER_PAGE = 50


def _filters() -> dict:
    return {k: request.values.get(k, "").strip() for k in FILTERS}


def _query(f: dict) -> dict:
    """The queue's arguments from the page's filters; what cannot be read is refused by the
    service with its own Chinese message (shown above the table)."""
    unit = f["unit"]
    page = f["page"]
    return {"status": f["status"] or None, "category": f["category"] or None, "industry": f["industry"] or None,
            "unit": int(unit) if unit.isdigit() and len(unit) < 12 else None, "unconfirmed": f["unconfirmed"] == "1",
            "sort": f["sort"] or "submitted_at", "order": f["order"] or "asc",
            "page": int(page) if page.isdigit() and 0 < len(page) < 7 else 1, "per_page": PER_PAGE}


def link(f: dict, **changes) -> str:
    merged = {**f, **changes}
    return "?" + urlencode({k: v for k, v in merged.items() if v not in (None, "")})


def require_reviewer() -> None:
    if not policy.holds(g.user, "entry.review_unit"):
        policy.require(g.user, "entry.review_unit", None)


def render_queue(results: list[dict] | None = None, form: dict | None = None, status_code: int = 200):
    require_reviewer()
    f = _filters()
    error = None
    try:
        data = queue.queue(g.user, **_query(f))
    except AppError as exc:
        error, data = exc.message, {"total": 0, "page": 1, "per_page": PER_PAGE, "items": []}
    pages = max(1, -(-data["total"] // PER_PAGE))
    outcome = {r["entry_id"]: r for r in results or []}
    return render_template(
        "console/review_queue.html", data=data, f=f, link=link, pages=pages, error=error, results=results,
        outcome=outcome, form=form or {}, statuses={s: t(f"catalog.statuses.{s}") for s in STATUSES},
        categories=lookup("catalog.categories"), units=[o for o in managed_orgs(g.user) if o.kind == "unit"],
        action_labels=lookup("review.actions"), rules=actions.rules(), reason_needed=actions.NEEDS_REASON,
        field_choices=return_fields(), titles=_titles(results)), status_code


def return_fields() -> list[tuple[str, str]]:
    from ...forms.catalogue import entry_fields, label
    return [(name, label(name)) for name in entry_fields()]


def _titles(results) -> dict:
    return queue.titles([r["entry_id"] for r in results or []])


@bp.get("/review")
def review_queue():
    return render_queue()


def action_form() -> dict:
    """The action's fields as typed (kept on the page when something is refused)."""
    return {"action": request.form.get("action", ""), "reason": request.form.get("reason", ""),
            "fields": request.form.getlist("fields"), "rule": request.form.get("rule", ""),
            "reply_by": request.form.get("reply_by", "")}


def run_action(entry_ids: list[int], form: dict) -> tuple[list[dict] | None, str | None]:
    """(results, None) or (None, the Chinese message of what is wrong with the request)."""
    reply_by = None
    if form["reply_by"]:
        try:
            reply_by = date.fromisoformat(form["reply_by"])
        except ValueError:
            return None, t("console.review.bad_date", value=form["reply_by"][:20])
    try:
        return actions.act(g.user, form["action"], entry_ids, reason=form["reason"] or None,
                           fields=form["fields"] or None, rule=form["rule"] or None, reply_by=reply_by), None
    except AppError as exc:
        return None, exc.message


@bp.post("/review")
def review_batch():
    form = action_form()
    raw = request.form.getlist("entry_ids")
    ids = [int(v) for v in raw if v.isdigit() and len(v) < 12]
    if not ids:
        form["error"] = t("console.review.none_selected")
        return render_queue(form=form, status_code=400)
    results, problem = run_action(ids, form)
    if problem:
        form["error"] = problem
        return render_queue(form=form | {"selected": ids}, status_code=400)
    return render_queue(results=results, form={"action": form["action"]})
