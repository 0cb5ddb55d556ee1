"""People and roles: find (paged, sorted, filtered on the server), a person's roles with grant
and revoke, invite by phone; phones masked for those who may not see them."""
from __future__ import annotations

from flask import g, redirect, render_template, request, url_for

from ...errors import FieldErrors
from ...services import audit_query, org_admin, people_admin, policy
from ...texts import lookup
from . import bp, nav
from .tables import table_query

nav.page("people", "console.people", "console.nav.people", "people.view", order=30)


def _require():
    if not policy.holds(g.user, "people.view"):
        policy.require(g.user, "people.view", None)


def _choices():
    labels = lookup("catalog.roles")
    roles, orgs = people_admin.grant_targets(g.user, org_admin.tree(g.user))
    return {"grant_roles": [(r, labels[r]) for r in roles], "grant_orgs": [(o.id, "　" * o.depth + o.name) for o in orgs],
            "role_labels": labels}


@bp.get("/people")
def people():
    _require()
    result = people_admin.find(g.user, table_query(("q", "role"), per_page=30))
    return render_template("console/people.html", page=result, show_phone=lambda p: people_admin.phone_shown(g.user, p),
                           invitations=people_admin.pending_invitations(g.user), values={}, errors={},
                           masked=people_admin.mask, **_choices())


@bp.post("/people/invite")
def people_invite():
    _require()
    try:
        people_admin.invite(g.user, request.form.get("phone", ""), request.form.get("role", ""), request.form.get("org_id"))
    except FieldErrors as exc:
        result = people_admin.find(g.user, table_query(("q", "role"), per_page=30))
        return render_template("console/people.html", page=result, show_phone=lambda p: people_admin.phone_shown(g.user, p),
                               invitations=people_admin.pending_invitations(g.user), masked=people_admin.mask,
                               values=dict(request.form), errors=exc.errors, **_choices()), 400
    return redirect(url_for("console.people", invited=1))


def _person_page(user_id: int, values=None, errors=None, status=200):
    person = people_admin.get_person(g.user, user_id)
    return render_template("console/person.html", person=person, phone=people_admin.phone_shown(g.user, person.phone),
                           values=values or {}, errors=errors or {}, trail=audit_query.for_object("user", person.id),
                           can_revoke=lambda a: people_admin.may_grant(g.user, a.role, a.org), **_choices()), status


@bp.get("/people/<int:user_id>")
def person(user_id: int):
    return _person_page(user_id)


@bp.post("/people/<int:user_id>/roles")
def person_grant(user_id: int):
    try:
        people_admin.grant(g.user, user_id, request.form.get("role", ""), request.form.get("org_id"))
    except FieldErrors as exc:
        return _person_page(user_id, dict(request.form), exc.errors, 400)
    return redirect(url_for("console.person", user_id=user_id, saved=1))


@bp.post("/people/roles/<int:assignment_id>/revoke")
def person_revoke(assignment_id: int):
    user = people_admin.revoke(g.user, assignment_id)
    return redirect(url_for("console.person", user_id=user.id, saved=1))
