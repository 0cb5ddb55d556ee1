"""Health for city admins: database, Redis, queues, workers, outbox backlog, failed jobs (retry)."""
from flask import g, redirect, render_template, request, url_for

from ...services import health_admin
from . import bp, nav

nav.page("health", "console.health", "console.nav.health", "system.health", order=90)


@bp.get("/health")
def health():
    return render_template("console/health.html", r=health_admin.report(g.user))


@bp.post("/health/retry")
def health_retry():
    health_admin.retry(g.user, request.form.get("queue", ""), request.form.get("job", ""))
    return redirect(url_for("console.health", retried=1))
