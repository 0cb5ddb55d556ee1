"""Desk login (issue 14 item 1): the scan flow through POST /api/v1/auth/web-login, the sandbox's
demo users, the cookie's flags, CSRF on every form, inactivity, revocation, logout everywhere."""
from __future__ import annotations

import re

import pytest

from server.extensions import redis_client

from .chat import Chat
from .console import csrf_of, desk_login


def scene_of(html: str) -> str:
    return re.search(r'data-scene="([^"]+)"', html).group(1)


def test_scan_confirm_poll_logs_in_once(client, seeded):
    page = client.get("/console/login")
    scene = scene_of(page.text)
    assert re.fullmatch(r"wl[A-Za-z0-9_-]{28}", scene) and len(scene) <= 32
    code = client.get("/console/login/code.png")
    assert code.status_code == 200 and code.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert client.get("/console/login/poll").json == {"status": "pending"}
    phone = Chat(client, "demo-city-admin")
    res = client.post("/api/v1/auth/web-login", json={"scene": scene}, headers=phone.headers)
    assert res.status_code == 200 and res.json == {"ok": True}
    again = client.post("/api/v1/auth/web-login", json={"scene": scene}, headers=phone.headers)
    assert again.status_code == 404 and again.json["error"]["code"] == "scene_expired"   # one-time
    done = client.get("/console/login/poll?next=/console/seasons")
    assert done.json == {"status": "done", "next": "/console/seasons"}
    cookie = done.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "陈明" in client.get("/console/").text
    assert redis_client().ttl(f"weblogin:{scene}:user") == -2     # claimed: gone


@pytest.mark.parametrize("scene,status,code", [
    ("", 400, "invalid_field"), ("x" * 33, 400, "invalid_field"), ("wl" + "a" * 27, 400, "scene_invalid"),
    ("wl" + "a" * 28, 404, "scene_expired"),
])
def test_web_login_refuses_bad_scenes(client, seeded, scene, status, code):
    phone = Chat(client, "demo-city-admin")
    res = client.post("/api/v1/auth/web-login", json={"scene": scene}, headers=phone.headers)
    assert res.status_code == status and res.json["error"]["code"] == code
    assert client.post("/api/v1/auth/web-login", json={"scene": scene}).status_code == 401


def test_an_expired_scene_says_so_to_the_page(client, seeded, app):
    scene = scene_of(client.get("/console/login").text)
    redis_client().delete(f"weblogin:{scene}")
    assert client.get("/console/login/poll").json == {"status": "expired"}


def test_pages_need_a_login_and_forms_need_the_csrf_token(client, seeded):
    res = client.get("/console/seasons")
    assert res.status_code == 302 and res.headers["Location"].startswith("/console/login?next=")
    csrf = desk_login(client, "demo-city-admin")
    for data in ({}, {"csrf_token": "wrong"}):
        res = client.post("/console/logout", data=data)
        assert res.status_code == 400 and "安全校验码" in res.text
    assert client.get("/console/").status_code == 200           # still logged in
    assert client.post("/console/logout", data={"csrf_token": csrf}).status_code == 302
    assert client.get("/console/").status_code == 302


def test_a_participant_is_refused_in_chinese(client, seeded):
    page = client.get("/console/login")
    client.post("/console/login/demo", data={"code": "demo-participant", "csrf_token": csrf_of(page.text)})
    res = client.get("/console/")
    assert res.status_code == 403 and "没有权限" in res.text


def test_inactivity_ends_the_login_and_keeps_what_was_typed(client, seeded, app, monkeypatch):
    csrf = desk_login(client, "demo-city-admin")
    monkeypatch.setitem(app.config, "CONSOLE_IDLE_SECONDS", -1)
    res = client.post("/console/seasons/new", data={"csrf_token": csrf, "name": "半路写的名字"})
    assert res.status_code == 302 and "/console/login" in res.headers["Location"]
    monkeypatch.setitem(app.config, "CONSOLE_IDLE_SECONDS", 1800)
    page = client.get(res.headers["Location"])
    assert "登录已失效" in page.text
    client.post("/console/login/demo", data={"code": "demo-city-admin", "csrf_token": csrf_of(page.text)})
    assert "半路写的名字" in client.get("/console/seasons/new").text


def test_logout_everywhere_revokes_the_api_token_too(client, seeded):
    phone = Chat(client, "demo-county-admin")
    csrf = desk_login(client, "demo-county-admin")
    assert client.post("/console/logout/everywhere", data={"csrf_token": csrf}).status_code == 302
    assert client.get("/console/").status_code == 302
    assert client.get("/api/v1/me", headers=phone.headers).status_code == 401


def test_no_cookie_outside_the_console(client, seeded):
    desk_login(client, "demo-city-admin")
    assert "Set-Cookie" not in client.get("/healthz").headers
