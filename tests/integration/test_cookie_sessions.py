"""Flask's cookie session is for the office console only (server/hooks/sessions.py): no other
response sets a cookie, and code that tries to keep state in `flask.session` elsewhere is told
where state belongs."""
from __future__ import annotations

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
    """A separate app with a test-only blueprint named "console" (the real one is still to come)."""
    from server import create_app
    app = create_app()
    console = flask.Blueprint("console", __name__, url_prefix="/console")

    @console.post("/login")
    def login():
        flask.session["office_user"] = flask.request.json["user"]
        return {"ok": True}

    @console.get("/me")
    def me():
        return {"user": flask.session.get("office_user")}

    elsewhere = flask.Blueprint("elsewhere", __name__, url_prefix="/elsewhere")

    @elsewhere.get("/me")
    def elsewhere_me():
        return {"user": flask.session.get("office_user")}

    app.register_blueprint(console)
    app.register_blueprint(elsewhere)
    return app


def test_the_console_has_a_signed_cookie_session(app_with_console):
    client = app_with_console.test_client()
    res = client.post("/console/login", json={"user": 7})
    assert res.status_code == 200
    cookie = res.headers["Set-Cookie"]
    assert cookie.startswith("session=") and "HttpOnly" in cookie
    assert client.get("/console/me").json == {"user": 7}


def test_outside_the_console_the_cookie_is_neither_read_nor_set(app_with_console):
    client = app_with_console.test_client()
    client.post("/console/login", json={"user": 7})      # the client now holds a console cookie
    res = client.get("/elsewhere/me")
    assert res.json == {"user": None} and "Set-Cookie" not in res.headers
    for path in ("/healthz", "/console/nowhere"):
        assert "Set-Cookie" not in client.get(path).headers
    with app_with_console.test_request_context("/elsewhere/me"):
        with pytest.raises(RuntimeError, match="not used by this service"):
            flask.session["office_user"] = 1
    with app_with_console.test_request_context("/console/me"):
        flask.session["office_user"] = 1                  # allowed in the console
