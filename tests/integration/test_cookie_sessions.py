"""Flask's cookie session is off (server/hooks/sessions.py): no response sets a cookie, and
code that tries to keep state in `flask.session` is told where state belongs."""
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
