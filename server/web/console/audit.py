"""The audit trail: who did what, when, to what, why — filtered and paged on the server."""
from flask import g, render_template

from ...services import audit_query, policy
from ...texts import lookup
from . import bp, nav
from .tables import table_query

nav.page("audit", "console.audit", "console.nav.audit", "audit.view", order=80)

FILTERS = ("action", "object", "object_id", "actor", "since", "until")


@bp.get("/audit")
def audit():
    if not policy.holds(g.user, "audit.view"):
        policy.require(g.user, "audit.view", None)
    result = audit_query.listing(g.user, table_query(FILTERS, per_page=50, default_dir="desc"))
    return render_template("console/audit.html", page=result, actions=lookup("console.audit_actions"),
                           objects=lookup("console.audit_objects"))
