"""优秀组织奖 (issue 18 item 5) in the console: the sheets within one's scope, and one sheet —
its ten items with maximum, score and how each was reached, the totals; a county (or unit)
uploads evidence and hands the sheet in, the city office scores and decides with a reason."""
from __future__ import annotations

from flask import abort, g, redirect, render_template, request, send_file, url_for

from ...errors import AppError, FieldErrors
from ...services import policy
from ...services.awards import org_sheet, rules_admin
from ...services.seasons import current_season, get_season
from . import bp, nav

nav.page("org_awards", "console.org_awards", "awards.console.nav_org_awards", "orgaward.view", order=60)


def season_id() -> int:
    raw = request.args.get("season", "")
    if raw:
        if not raw.isdigit() or len(raw) > 9:
            abort(404)
        return int(raw)
    season = current_season()
    if season is None:
        abort(404)
    return season.id


def top_org(action: str):
    held = [a.org for a in g.user.roles if policy.can(g.user, action, a.org)]
    if not held:
        policy.require(g.user, action, None)
    return min(held, key=lambda o: (o.depth, o.id))


@bp.get("/org-awards")
def org_awards(rule_values: dict | None = None, rule_errors: dict | None = None, status: int = 200):
    sid = season_id()
    start = top_org("orgaward.view")
    season = get_season(sid)
    return render_template("console/org_awards.html", rows=org_sheet.sheets(g.user, start.id, sid),
                           season=season, start=start, rule_fields=rules_admin.FIELDS,
                           can_set_rules=policy.can(g.user, "orgaward.rules", season),
                           rule_values=rule_values or rules_admin.shown(season), rule_errors=rule_errors or {},
                           saved=request.args.get("saved")), status


@bp.post("/org-awards/rules")
def org_award_rules():
    """The city office sets how items 5–8 score; wrong fields show beside themselves."""
    sid = season_id()
    values = {k: request.form.get(k, "") for k in rules_admin.FIELDS}
    try:
        rules_admin.set_rules(g.user, sid, values)
    except FieldErrors as exc:
        return org_awards(values, exc.errors, 400)
    except AppError as exc:
        if exc.status in (403, 404):
            raise
        return org_awards(values, {"form": exc.message}, exc.status)
    return redirect(url_for("console.org_awards", season=sid, saved=1) + "#org-award-rules")


def _render(org_id: int, sid: int, errors: dict | None = None, status: int = 200):
    return render_template("console/org_award.html", d=org_sheet.view(g.user, org_id, sid), errors=errors or {},
                           saved=request.args.get("saved")), status


@bp.get("/org-awards/<int:org_id>")
def org_award(org_id: int):
    return _render(org_id, season_id())


def _act(org_id: int, key: str, fn):
    """Run one act; a refusal (400/409) shows the sheet again with the message at `key`."""
    sid = season_id()
    try:
        fn(sid)
    except AppError as exc:
        if exc.status in (403, 404):
            raise
        return _render(org_id, sid, {key: exc.message}, exc.status)
    return redirect(url_for("console.org_award", org_id=org_id, season=sid, saved=1) + f"#{key}")


@bp.post("/org-awards/<int:org_id>/items/<int:no>/evidence")
def org_award_evidence(org_id: int, no: int):
    upload = request.files.get("file")
    content = upload.read() if upload and upload.filename else None
    return _act(org_id, f"item-{no}", lambda sid: org_sheet.add_evidence(
        g.user, org_id, sid, no, content, upload.filename if upload else None, request.form.get("note")))


@bp.post("/org-awards/<int:org_id>/items/<int:no>/score")
def org_award_score(org_id: int, no: int):
    return _act(org_id, f"item-{no}", lambda sid: org_sheet.score(
        g.user, org_id, sid, no, request.form.get("score", ""), request.form.get("comment")))


@bp.post("/org-awards/<int:org_id>/submit")
def org_award_submit(org_id: int):
    return _act(org_id, "decision", lambda sid: org_sheet.submit(g.user, org_id, sid))


@bp.post("/org-awards/<int:org_id>/decision")
def org_award_decide(org_id: int):
    return _act(org_id, "decision", lambda sid: org_sheet.decide(
        g.user, org_id, sid, request.form.get("decision", ""), request.form.get("reason", "")))


@bp.post("/org-awards/<int:org_id>/evidence/<int:evidence_id>/remove")
def org_award_evidence_remove(org_id: int, evidence_id: int):
    """The uploader or the county admin takes a file off before the city scores its item; a
    refusal shows at the item."""
    key = f"item-{org_sheet.item_of_evidence(evidence_id) or ''}"
    return _act(org_id, key, lambda sid: org_sheet.remove_evidence(g.user, evidence_id))


@bp.get("/org-awards/evidence/<int:evidence_id>")
def org_award_evidence_file(evidence_id: int):
    path, content_type, filename = org_sheet.evidence_file(g.user, evidence_id)
    return send_file(path, mimetype=content_type, download_name=filename)
