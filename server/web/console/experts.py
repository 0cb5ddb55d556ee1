"""The expert pool (city office, issue 16): list, add a holder of the expert role, edit an
expert's own unit, categories and industries, declare a conflict, let an expert drop out.
Each form posts to the same services as /api/v1/admin/experts; a refusal shows next to its field."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from ...errors import AppError
from ...hooks.ids import MAX_ID, NO_SUCH_ID
from ...services import audit_query, expert_pool, experts, org_admin, panels, policy
from ...texts import lookup, t
from . import bp, nav

nav.page("experts", "console.experts_page", "experts.nav.pool", "expert.manage", order=60)


def _require():
    policy.require(g.user, "expert.manage")


def _int(name: str, what: str, required: bool = False) -> int | None:
    raw = (request.form.get(name) or "").strip()
    if not raw:
        if required:
            raise AppError("experts.errors.expert_required", field=name, status=400)
        return None
    if not raw.isdigit():
        raise AppError("experts.errors.number", field=name, status=400, value=raw[:20], what=what)
    return int(raw) if int(raw) <= MAX_ID else NO_SUCH_ID


def _profile() -> tuple[int | None, list[str], list[str]]:
    more = [line.strip() for line in (request.form.get("industries_more") or "").splitlines()]
    return (_int("unit_id", t("experts.pool.unit")), request.form.getlist("categories"),
            request.form.getlist("industries") + [m for m in more if m])


def _choices() -> dict:
    return {"categories": list(lookup("catalog.categories").items()),
            "industries": expert_pool.known_industries(),
            "units": [(o.id, "　" * o.depth + o.name) for o in org_admin.tree(g.user)]}


def _form_values(expert=None) -> dict:
    if request.method == "POST":
        return {"user_id": request.form.get("user_id"), "unit_id": request.form.get("unit_id"),
                "categories": request.form.getlist("categories"), "industries": request.form.getlist("industries"),
                "industries_more": request.form.get("industries_more", ""), "entry_id": request.form.get("entry_id"),
                "org_id": request.form.get("org_id"), "reason": request.form.get("reason")}
    if expert is None:
        return {}
    return {"unit_id": expert.unit_id, "categories": expert.categories or [], "industries": expert.industries or []}


@bp.get("/experts")
def experts_page(errors=None, status=200):
    _require()
    pool = experts.list_experts(g.user)
    counts = {e.id: len(expert_pool.conflicts_of(g.user, e)) for e in pool}
    return render_template("console/experts.html", pool=pool, conflicts=counts,
                           candidates=[(u.id, u.name or str(u.id)) for u in expert_pool.candidates(g.user)],
                           values=_form_values() if errors else {}, errors=errors or {},
                           category_labels=lookup("catalog.categories"), **_choices()), status


@bp.post("/experts")
def experts_add():
    _require()
    try:
        unit_id, categories, industries = _profile()
        expert = experts.add_expert(g.user, _int("user_id", t("experts.pool.user"), required=True),
                                    unit_id, categories, industries)
    except AppError as exc:
        return experts_page({exc.field or "user_id": exc.message}, 400)
    flash(t("console.saved"))
    return redirect(url_for("console.expert_page", expert_id=expert.id))


def _render_expert(expert_id: int, errors=None, status=200):
    _require()
    expert = experts.get_expert(expert_id)
    return render_template("console/expert.html", expert=expert, values=_form_values(expert), errors=errors or {},
                           conflicts=expert_pool.conflicts_of(g.user, expert),
                           trail=audit_query.for_object("expert", expert.id), **_choices()), status


@bp.get("/experts/<int:expert_id>")
def expert_page(expert_id: int):
    return _render_expert(expert_id)


@bp.post("/experts/<int:expert_id>")
def expert_edit(expert_id: int):
    _require()
    expert = experts.get_expert(expert_id)
    try:
        result = expert_pool.edit_expert(g.user, expert, *_profile())
    except AppError as exc:
        return _render_expert(expert_id, {exc.field or "unit_id": exc.message}, 400)
    flash(t("experts.pool.dropped_seats", count=result["dropped"]) if result["dropped"] else t("console.saved"))
    return redirect(url_for("console.expert_page", expert_id=expert_id))


@bp.post("/experts/<int:expert_id>/conflicts")
def expert_conflict(expert_id: int):
    _require()
    expert = experts.get_expert(expert_id)
    try:
        panels.declare_conflict(g.user, expert, entry_id=_int("entry_id", t("experts.pool.entry_id")),
                                org_id=_int("org_id", t("experts.pool.org_id")), reason=request.form.get("reason", ""))
    except AppError as exc:
        field = exc.field if exc.field in ("entry_id", "org_id", "reason") else "entry_id"
        return _render_expert(expert_id, {field: exc.message}, 400)
    flash(t("experts.pool.declared"))
    return redirect(url_for("console.expert_page", expert_id=expert_id))


@bp.post("/experts/<int:expert_id>/drop")
def expert_drop(expert_id: int):
    _require()
    result = panels.drop_out(g.user, experts.get_expert(expert_id))
    short = t("experts.pool.dropped_short", ids="、".join(map(str, result["short"]))) if result["short"] else ""
    flash(t("experts.pool.dropped_done", removed=result["removed"], short=short))
    return redirect(url_for("console.expert_page", expert_id=expert_id))
