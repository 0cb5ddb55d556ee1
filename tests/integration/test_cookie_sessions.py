"""Flask's cookie session is for the office console only (server/hooks/sessions.py): no other
response sets a cookie, and code that tries to keep state in `flask.session` elsewhere is told
where state belongs."""
from __future__ import annotations

import re

import flask
import pytest

from .chat import Chat


def test_no_response_sets_a_cookie(client, seeded):
    chat = Chat(client, "demo-participant")
    res = client.post("/api/v1/dialogue/messages", json={"text": "申报"}, headers=chat.headers)
    assert res.status_code == 200 and "Set-Cookie" not in res.headers
    assert "Set-Cookie" not in client.get("/healthz").headers


def test_writing_to_the_session_is_refused_with_a_reason(app):
    with app.test_request_context("/"):
        assert dict(flask.session) == {}
        with pytest.raises(RuntimeError, match="not used by this service"):
            flask.session["user_id"] = 1


@pytest.fixture(scope="module")
def app_with_console():
    """A separate app (with the real console, server/web/console/) plus a test-only blueprint
    elsewhere that tries to read the console's session."""
    from server import create_app
    app = create_app()
    elsewhere = flask.Blueprint("elsewhere", __name__, url_prefix="/elsewhere")

    @elsewhere.get("/me")
    def elsewhere_me():
        return {"user": flask.session.get("sid")}

    app.register_blueprint(elsewhere)
    return app


def _console_login(client) -> None:
    page = client.get("/console/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    res = client.post("/console/login/demo", data={"code": "demo-city-admin", "csrf_token": token})
    assert res.status_code == 302


def test_the_console_has_a_signed_cookie_session(app_with_console, seeded):
    client = app_with_console.test_client()
    res = client.get("/console/login")
    cookie = res.headers["Set-Cookie"]
    assert cookie.startswith("session=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    _console_login(client)
    assert client.get("/console/").status_code == 200


def test_outside_the_console_the_cookie_is_neither_read_nor_set(app_with_console, seeded):
    client = app_with_console.test_client()
    _console_login(client)                                 # the client now holds a console cookie
    res = client.get("/elsewhere/me")
    assert res.json == {"user": None} and "Set-Cookie" not in res.headers
    for path in ("/healthz", "/console/nowhere"):
        assert "Set-Cookie" not in client.get(path).headers
    with app_with_console.test_request_context("/elsewhere/me"):
        with pytest.raises(RuntimeError, match="not used by this service"):
            flask.session["office_user"] = 1
    with app_with_console.test_request_context("/console/"):
        flask.session["office_user"] = 1                  # allowed in the console
