"""Every console request: the login (cookie names a live login session; inactivity ends it),
CSRF on every form, the right to enter, and errors as Chinese pages (403 explains why)."""
from __future__ import annotations

import time

from flask import current_app, g, redirect, render_template, request, session, url_for
from flask_wtf.csrf import CSRFError, generate_csrf, validate_csrf
from werkzeug.exceptions import HTTPException
from wtforms.validators import ValidationError as CSRFInvalid

from ...errors import _HTTP_CODES, AppError
from ...services import auth, policy
from ...texts import t
from . import bp, nav

PUBLIC = {"console.login", "console.login_code", "console.login_poll", "console.login_demo", "console.static"}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


@bp.before_request
def _guard():
    # Flask-WTF caches the request's token in g; a test client running inside one app context
    # shares g between requests, so start each request without it.
    g.pop("csrf_token", None)
    if request.method in UNSAFE:
        try:
            validate_csrf(request.form.get("csrf_token") or request.headers.get("X-CSRFToken"))
        except CSRFInvalid as exc:
            raise CSRFError(str(exc))
    if request.endpoint in PUBLIC:
        return None
    user = _session_user()
    if user is None:
        if request.method in UNSAFE:      # keep what was typed; the form offers it after login
            session["draft"] = {"path": request.path,
                                "form": {k: v for k, v in request.form.items() if k != "csrf_token"}}
        return redirect(url_for("console.login", next=request.full_path.rstrip("?") if request.method == "GET"
                                else request.path, expired=1 if session.get("expired") else None))
    policy.require(user, "console.enter")
    g.user = user
    session["seen"] = int(time.time())
    return None


def _session_user():
    sid, seen = session.get("sid"), session.get("seen", 0)
    if not sid:
        return None
    if time.time() - seen > current_app.config["CONSOLE_IDLE_SECONDS"]:
        auth.end_session(sid)
        session.pop("sid", None)
        session["expired"] = True
        return None
    user = auth.session_user(sid)
    if user is None:
        session.pop("sid", None)
        session["expired"] = True
    return user


def take_draft() -> dict:
    """What was typed into this page's form when the session expired (once), else {}."""
    draft = session.get("draft")
    if draft and draft.get("path") == request.path:
        session.pop("draft")
        return draft["form"]
    return {}


@bp.app_context_processor
def _console_globals():
    if request.blueprint != "console":
        return {}
    user = g.get("user")
    return {"csrf_token": generate_csrf, "user": user, "nav_pages": nav.visible(user) if user else []}


@bp.errorhandler(AppError)
def _app_error(exc: AppError):
    template = "console/403.html" if exc.status == 403 else "console/error.html"
    return render_template(template, message=exc.message, status=exc.status), exc.status


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    """abort(404) and the like in a console view: the console's page, not the API's JSON."""
    code = _HTTP_CODES.get(exc.code or 500)
    status = exc.code or 500
    return render_template("console/error.html", message=t(f"errors.{code}" if code else "errors.internal"),
                           status=status), status


@bp.errorhandler(CSRFError)
def _csrf_error(exc):
    return render_template("console/error.html", message=t("console.errors.csrf"), status=400), 400
