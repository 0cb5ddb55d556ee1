"""Login, /me and phone binding over the HTTP API, through every WeChat error of the issue."""
from __future__ import annotations

from datetime import timedelta

from server.extensions import db
from server.models import AuthSession, Person, User
from server.timeutil import utcnow
from server.wechat.sandbox import openid_for_code

from ..helpers import auth_header, login


def test_login_creates_user_and_token_works_for_me(client, ctx, wx):
    body = login(client, "worker-001")
    assert set(body) == {"token", "expires_at", "user"}
    assert body["user"]["roles"] == []
    user = db.session.get(User, body["user"]["id"])
    assert user.openid == openid_for_code("worker-001")

    me = client.get("/api/v1/me", headers=auth_header(body["token"]))
    assert me.status_code == 200
    assert me.get_json()["id"] == body["user"]["id"]
    assert me.get_json()["phone_bound"] is False
    # Login needs no access_token (wechatpy 1.8.18's code_to_session would fetch one).
    assert wx.calls("stable_token") == [] and wx.calls("token") == []


def test_same_code_same_user_and_roles_listed(client, seeded):
    first = login(client, "demo-county-admin")
    second = login(client, "demo-county-admin")
    assert first["user"]["id"] == second["user"]["id"]
    assert first["token"] != second["token"]
    assert first["user"]["roles"] == [{"role": "county_admin", "org_id": first["user"]["roles"][0]["org_id"],
                                      "org_name": "城区"}]


def test_bad_code_is_401_in_chinese(client, ctx):
    res = client.post("/api/v1/auth/login", json={"code": "bad-code"})
    assert res.status_code == 401
    err = res.get_json()["error"]
    assert err["code"] == "invalid_code" and err["field"] == "code"
    assert "登录码无效" in err["message"]
    assert db.session.query(User).count() == 0


def test_busy_once_is_retried_and_succeeds(client, ctx, wx):
    wx.fault("jscode2session", -1, times=1)
    res = client.post("/api/v1/auth/login", json={"code": "worker-002"})
    assert res.status_code == 200
    assert len(wx.calls("jscode2session")) == 2


def test_busy_twice_is_503(client, ctx, wx):
    wx.fault("jscode2session", -1, times=2)
    res = client.post("/api/v1/auth/login", json={"code": "worker-003"})
    assert res.status_code == 503
    assert res.get_json()["error"]["code"] == "wechat_busy"
    assert "繁忙" in res.get_json()["error"]["message"]
    assert len(wx.calls("jscode2session")) == 2


def test_too_frequent_is_429_without_retry(client, ctx, wx):
    wx.fault("jscode2session", 45011)
    res = client.post("/api/v1/auth/login", json={"code": "worker-004"})
    assert res.status_code == 429
    assert "太频繁" in res.get_json()["error"]["message"]
    assert len(wx.calls("jscode2session")) == 1


def test_high_risk_user_is_403(client, ctx, wx):
    wx.fault("jscode2session", 40226)
    res = client.post("/api/v1/auth/login", json={"code": "worker-005"})
    assert res.status_code == 403
    assert res.get_json()["error"]["code"] == "user_blocked"


def test_wechat_timeout_is_503(client, ctx, wx):
    # WECHAT_TIMEOUT is 2 s in tests; the sandbox answers after 3 s, twice.
    wx.fault("jscode2session", None, times=2, delay=3)
    res = client.post("/api/v1/auth/login", json={"code": "worker-006"})
    assert res.status_code == 503
    assert res.get_json()["error"]["code"] == "wechat_unavailable"


def test_wechat_http_error_is_503(client, ctx, wx):
    wx.fault("jscode2session", http_status=502, times=2)
    res = client.post("/api/v1/auth/login", json={"code": "worker-007"})
    assert res.status_code == 503


def test_token_tampered_expired_revoked(client, ctx):
    body = login(client, "worker-008")
    token = body["token"]
    assert client.get("/api/v1/me").status_code == 401
    # Change a character well inside the signature: the last one's low bits are padding, which
    # base64 ignores, so tampering only the end can leave the same signature (1 run in ~1000).
    at = len(token) - 6
    tampered = token[:at] + ("A" if token[at] != "A" else "B") + token[at + 1:]
    assert client.get("/api/v1/me", headers=auth_header(tampered)).get_json()["error"]["code"] == "token_invalid"

    session = db.session.scalars(db.select(AuthSession)).one()
    session.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    res = client.get("/api/v1/me", headers=auth_header(token))
    assert res.status_code == 401 and res.get_json()["error"]["code"] == "token_expired"

    token = login(client, "worker-008")["token"]
    assert client.post("/api/v1/auth/logout", headers=auth_header(token)).status_code == 200
    res = client.get("/api/v1/me", headers=auth_header(token))
    assert res.status_code == 401 and res.get_json()["error"]["code"] == "token_revoked"


def test_token_signed_with_other_secret_is_rejected(client, app, ctx):
    from itsdangerous import URLSafeTimedSerializer
    login(client, "worker-009")
    session_id = db.session.scalars(db.select(AuthSession.id)).one()
    forged = URLSafeTimedSerializer("not-the-secret", salt="auth-token").dumps(session_id)
    assert client.get("/api/v1/me", headers=auth_header(forged)).status_code == 401


def test_bind_phone_links_people_registered_with_that_phone(client, ctx, wx):
    token = login(client, "farmer-01")["token"]
    farmer = Person(name="王大伯", phone="13912345678")
    db.session.add(farmer)
    db.session.commit()
    res = client.post("/api/v1/me/phone", json={"code": "phone-13912345678"}, headers=auth_header(token))
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["phone"] == "13912345678" and res.get_json()["phone_bound"]
    db.session.expire_all()
    assert db.session.get(Person, farmer.id).user_id == res.get_json()["id"]
    # getuserphonenumber needs the access_token: fetched once, via stable_token.
    assert len(wx.calls("stable_token")) == 1


def test_bind_phone_bad_code(client, ctx):
    token = login(client, "worker-010")["token"]
    res = client.post("/api/v1/me/phone", json={"code": "bad-phone"}, headers=auth_header(token))
    assert res.status_code == 400
    assert res.get_json()["error"]["code"] == "invalid_phone_code"
    assert "手机号" in res.get_json()["error"]["message"]


def test_bind_phone_survives_an_expired_access_token(client, ctx, wx):
    token = login(client, "worker-011")["token"]
    client.post("/api/v1/me/phone", json={"code": "phone-13800000001"}, headers=auth_header(token))
    wx.expire_tokens()          # the cached token now answers 42001
    res = client.post("/api/v1/me/phone", json={"code": "phone-13800000002"}, headers=auth_header(token))
    assert res.status_code == 200
    assert res.get_json()["phone"] == "13800000002"
    codes = [c["fault"] for c in wx.calls("getuserphonenumber")]
    assert len(codes) == 3      # first bind, rejected try, retry with a fresh token
    assert len(wx.calls("stable_token")) == 2
