"""Flask's signed-cookie session, switched off: the API authenticates with bearer tokens and the
web pages carry theirs themselves, so nothing reads or writes `flask.session`. Left on, every
request would build a cookie serializer from the secret key for a session nobody uses."""
from __future__ import annotations

from flask.sessions import NullSession, SessionInterface


class _NoSession(NullSession):
    def _fail(self, *args, **kwargs):
        raise RuntimeError("flask.session is not used by this service: keep state in the database "
                           "(bearer tokens, server/services/auth.py)")

    __setitem__ = __delitem__ = clear = pop = popitem = update = setdefault = _fail


class NoCookieSessions(SessionInterface):
    null_session_class = _NoSession

    def open_session(self, app, request):
        return None                     # Flask then uses the null session above

    def save_session(self, app, session, response):
        """Nothing to save: no response carries a session cookie."""
