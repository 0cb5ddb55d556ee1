"""Flask's signed-cookie session for the office console only (DESIGN.md convention 13): requests
served by the blueprint named "console" (server/web/console/, URL prefix /console) or one nested
in it get Flask's normal session; everywhere else `flask.session` is a read-only empty session
and no response sets a cookie. The API authenticates with bearer tokens and the chat pages carry
theirs themselves; left on for them, every request would build a cookie serializer from the
secret key for a session nobody uses."""
from __future__ import annotations

from flask.sessions import NullSession, SecureCookieSessionInterface
from werkzeug.exceptions import HTTPException

CONSOLE = "console"


class _NoSession(NullSession):
    def _fail(self, *args, **kwargs):
        raise RuntimeError("flask.session is not used by this service outside the office console: "
                           "keep state in the database (bearer tokens, server/services/auth.py)")

    __setitem__ = __delitem__ = clear = pop = popitem = update = setdefault = _fail


class ConsoleCookieSessions(SecureCookieSessionInterface):
    null_session_class = _NoSession

    def open_session(self, app, request):
        # Flask opens the session before it matches the URL, so request.blueprint is not known
        # yet. Every console view lives under the console's URL prefix: a look at the path
        # first (an API request stops here, without matching its URL a second time), then the
        # match, only for paths under the prefix.
        console = app.blueprints.get(CONSOLE)
        prefix = (console.url_prefix or "") if console is not None else None
        if prefix is None or not (request.path == prefix or request.path.startswith(prefix + "/")):
            return None                 # Flask then uses the null session above
        if _is_console(_blueprint_of(app, request)):
            return super().open_session(app, request)
        return None

    def save_session(self, app, session, response):
        """Only a console session is saved; no other response carries a session cookie."""
        if isinstance(session, _NoSession):
            return
        super().save_session(app, session, response)


def _is_console(blueprint: str | None) -> bool:
    return blueprint is not None and (blueprint == CONSOLE or blueprint.startswith(CONSOLE + "."))


def _blueprint_of(app, request) -> str | None:
    """What request.blueprint will be once Flask has matched the URL."""
    try:
        rule, _ = app.create_url_adapter(request).match(return_rule=True)
    except HTTPException:           # 404, 405, a redirect: no view, no session
        return None
    return rule.endpoint.rpartition(".")[0] or None
