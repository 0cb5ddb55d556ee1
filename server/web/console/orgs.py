"""The organisation registry: the tree, one node's page (edit, add below, move, retire, its audit
trail), and .xlsx import / export / template. County admins manage their own subtree only."""
from __future__ import annotations

from flask import Response, g, redirect, render_template, request, url_for

from ...errors import FieldErrors
from ...services import audit_query, org_admin, org_excel, policy
from ...texts import lookup, t
from . import bp, nav

nav.page("orgs", "console.orgs", "console.nav.orgs", "org.manage", order=20)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _options() -> dict:
    return {"kinds": list(lookup("catalog.org_kinds").items()), "unit_types": list(lookup("catalog.unit_types").items()),
            "systems": list(lookup("catalog.systems").items())}


def _require_manager():
    if not policy.holds(g.user, "org.manage"):
        policy.require(g.user, "org.manage", None)


@bp.get("/orgs")
def orgs():
    _require_manager()
    return render_template("console/orgs.html", nodes=org_admin.tree(g.user), **_options())


def _values(org) -> dict:
    return {k: getattr(org, k) for k in org_admin.ATTRS} | {
        "four_party": "" if org.four_party is None else ("1" if org.four_party else "0")}


def _render_org(org_id: int, values=None, errors=None, status=200, child=None):
    org = org_admin.get_managed(g.user, org_id)
    managed = org_admin.move_targets(g.user, org)
    return render_template("console/org.html", org=org, values=values or _values(org), errors=errors or {},
                           child=child or {}, parents=[(o.id, "　" * o.depth + o.name) for o in managed],
                           trail=audit_query.for_object("org", org.id), **_options()), status


@bp.get("/orgs/<int:org_id>")
def org_page(org_id: int):
    return _render_org(org_id)


def _form() -> dict:
    data = {k: request.form.get(k, "") for k in org_admin.ATTRS}
    data["model_key"] = request.form.get("model_key", "")
    return data


@bp.post("/orgs/<int:org_id>")
def org_edit(org_id: int):
    try:
        org_admin.edit(g.user, org_id, _form())
    except FieldErrors as exc:
        return _render_org(org_id, _form(), exc.errors, 400)
    return redirect(url_for("console.org_page", org_id=org_id, saved=1))


@bp.post("/orgs/<int:org_id>/children")
def org_add_child(org_id: int):
    try:
        child = org_admin.create(g.user, org_id, _form())
    except FieldErrors as exc:
        return _render_org(org_id, status=400, child={"values": _form(), "errors": exc.errors})
    return redirect(url_for("console.org_page", org_id=child.id, saved=1))


@bp.post("/orgs/<int:org_id>/move")
def org_move(org_id: int):
    try:
        org_admin.move(g.user, org_id, request.form.get("parent_id", type=int))
    except FieldErrors as exc:
        return _render_org(org_id, None, exc.errors, 400)
    return redirect(url_for("console.org_page", org_id=org_id, saved=1))


@bp.post("/orgs/<int:org_id>/retire")
def org_retire(org_id: int):
    try:
        org_admin.retire(g.user, org_id, request.form.get("reason") or None)
    except FieldErrors as exc:
        return _render_org(org_id, None, exc.errors, 400)
    return redirect(url_for("console.org_page", org_id=org_id, saved=1))


@bp.get("/orgs/import")
def org_import_form():
    _require_manager()
    return render_template("console/org_import.html", problems=[], imported=request.args.get("imported"))


@bp.post("/orgs/import")
def org_import():
    _require_manager()
    upload = request.files.get("file")
    content = upload.read(org_excel.MAX_BYTES + 1) if upload else b""
    try:
        count = org_excel.import_xlsx(g.user, content)
    except org_excel.ImportErrors as exc:
        return render_template("console/org_import.html", problems=exc.problems, imported=None), 400
    return redirect(url_for("console.org_import_form", imported=count))


def _xlsx(content: bytes, name: str) -> Response:
    from urllib.parse import quote
    return Response(content, mimetype=XLSX,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})


@bp.get("/orgs/export.xlsx")
def org_export():
    _require_manager()
    return _xlsx(org_excel.export(g.user), t("console.org_sheet") + ".xlsx")


@bp.get("/orgs/template.xlsx")
def org_template():
    _require_manager()
    return _xlsx(org_excel.template(), t("console.org_template") + ".xlsx")
