"""Malformed bodies get 400/413 in the one envelope with a Chinese message; never a 500."""
from __future__ import annotations

import pytest

from ..helpers import auth_header, login

LOGIN = "/api/v1/auth/login"


def _error(res, status):
    assert res.status_code == status, res.get_data(as_text=True)
    assert res.is_json
    err = res.get_json()["error"]
    assert set(err) <= {"code", "message", "field"}
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err["message"]), err["message"]
    return err


@pytest.mark.parametrize("body", [b"{", b"{'code': 'x'}", b"\xff\xfe\x00", b"nul", b'{"code": "a"'])
def test_malformed_json(client, ctx, body):
    err = _error(client.post(LOGIN, data=body, content_type="application/json"), 400)
    assert err["code"] == "invalid_json"


@pytest.mark.parametrize("body", [b"[]", b'"code"', b"42", b"null"])
def test_json_that_is_not_an_object(client, ctx, body):
    err = _error(client.post(LOGIN, data=body, content_type="application/json"), 400)
    assert err["code"] == "invalid_json"
    assert "JSON 对象" in err["message"]


def test_missing_field(client, ctx):
    err = _error(client.post(LOGIN, json={}), 400)
    assert err["field"] == "code" and "缺少" in err["message"]


def test_empty_body_means_missing_field(client, ctx):
    err = _error(client.post(LOGIN, data=b"", content_type="application/json"), 400)
    assert err["field"] == "code"


@pytest.mark.parametrize("value,word", [(1, "文字"), (None, "文字"), ([], "文字"), ({"a": 1}, "文字"), (True, "文字")])
def test_wrong_type(client, ctx, value, word):
    err = _error(client.post(LOGIN, json={"code": value}), 400)
    assert err["field"] == "code" and word in err["message"]


def test_blank_and_too_long(client, ctx):
    assert "不能为空" in _error(client.post(LOGIN, json={"code": "   "}), 400)["message"]
    assert "太长" in _error(client.post(LOGIN, json={"code": "x" * 129}), 400)["message"]


def test_unknown_field_is_named(client, ctx):
    err = _error(client.post(LOGIN, json={"code": "a", "cod": "b"}), 400)
    assert err["field"] == "cod" and "不认识" in err["message"]


def test_json_body_over_limit_is_413(client, ctx):
    err = _error(client.post(LOGIN, data=b'{"code": "' + b"x" * 300_000 + b'"}',
                             content_type="application/json"), 413)
    assert err["code"] == "body_too_large"


def test_any_body_over_max_content_length_is_413(client, ctx):
    err = _error(client.post(LOGIN, data=b"x" * (13 * 1024 * 1024), content_type="application/json"), 413)
    assert err["code"] == "body_too_large"


def test_form_encoded_body_is_rejected_clearly(client, ctx):
    err = _error(client.post(LOGIN, data={"code": "abc"}), 400)
    assert err["code"] == "invalid_json"


def test_unknown_path_and_wrong_method(client, ctx):
    assert _error(client.get("/api/v1/nothing-here"), 404)["code"] == "not_found"
    assert _error(client.get(LOGIN), 405)["code"] == "method_not_allowed"


def test_bad_authorization_headers(client, ctx):
    for header in ["", "Bearer", "Bearer ", "Basic abc", "Bearer a.b.c", "Bearer " + "x" * 5000]:
        _error(client.get("/api/v1/me", headers={"Authorization": header}), 401)


def test_phone_binding_validates_like_login(client, ctx):
    token = login(client, "worker-bad-input")["token"]
    err = _error(client.post("/api/v1/me/phone", json={"code": 12}, headers=auth_header(token)), 400)
    assert err["field"] == "code"


def test_unexpected_error_keeps_the_envelope():
    # A bug in a view must still answer in the envelope, never a bare HTML 500.
    from server import create_app
    app = create_app()

    @app.get("/__boom__")
    def boom():
        raise RuntimeError("bug")

    res = app.test_client().get("/__boom__")
    assert res.status_code == 500 and res.get_json()["error"]["code"] == "internal"
