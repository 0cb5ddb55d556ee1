"""Desk login the WeChat way (issue 14): the console shows a mini-program code for a one-time
scene; the user scans it, the mini-program page confirms with the user's bearer token
(POST /api/v1/auth/web-login {"scene"}), and the console page, polling, claims the login.

A scene is "wl" + 28 URL-safe characters (30 in all; WeChat allows at most 32). In Redis:
  weblogin:<scene>        "pending" until confirmed or expired (WEB_LOGIN_SCENE_TTL seconds)
  weblogin:<scene>:user   the confirming user's id, claimed once by the page that asked
Confirming deletes the pending key (GETDEL), so a scene is confirmed at most once; claiming
deletes the user key, so it logs in at most once."""
from __future__ import annotations

import re
import secrets

from flask import current_app
from sqlalchemy import select

from ..errors import AppError, NotFound
from ..extensions import db, redis_client
from ..models import User
from ..wechat import gateway
from . import auth
from .audit import record

SCENE = re.compile(r"wl[A-Za-z0-9_-]{28}")


def _key(scene: str) -> str:
    return f"weblogin:{scene}"


def new_scene() -> str:
    scene = "wl" + secrets.token_urlsafe(21)
    redis_client().set(_key(scene), "pending", ex=current_app.config["WEB_LOGIN_SCENE_TTL"])
    return scene


def code_image(scene: str) -> bytes:
    """The mini-program code (PNG) that opens the confirming page with this scene."""
    return auth._wechat_call(gateway().wxa_code_unlimited, scene, current_app.config["WEB_LOGIN_PAGE"],
                             430, "release", False)


def confirm(user: User, scene: str) -> None:
    """The mini-program user says: log me in at the desk showing this scene."""
    if not SCENE.fullmatch(scene or ""):
        raise AppError("console.errors.scene_invalid", code="scene_invalid", field="scene")
    conn = redis_client()
    if conn.getdel(_key(scene)) is None:
        raise NotFound("console.errors.scene_expired", code="scene_expired", field="scene")
    conn.set(_key(scene) + ":user", user.id, ex=current_app.config["WEB_LOGIN_SCENE_TTL"])
    record(user, "web_login_confirmed", "user", user.id)
    db.session.commit()


def claim(scene: str) -> str | None:
    """'pending', 'expired', or the id of a new login session for the user who confirmed."""
    conn = redis_client()
    user_id = conn.getdel(_key(scene) + ":user")
    if user_id is None:
        return "pending" if conn.exists(_key(scene)) else "expired"
    user = db.session.get(User, int(user_id))
    if user is None:
        return "expired"
    return open_console(user, "scan").id


def open_console(user: User, how: str):
    return auth.open_session(user, current_app.config["CONSOLE_SESSION_TTL"], how)


def demo_login(code: str):
    """Sandbox only: log in at the desk as a demo user (the same code the chat page uses)."""
    from ..wechat.sandbox import openid_for_code
    user = db.session.scalar(select(User).where(User.openid == openid_for_code(code)))
    if user is None:
        raise NotFound("console.errors.demo_user_unknown", code="demo_user_unknown")
    return open_console(user, "sandbox")
