"""Desk login: the page shows a mini-program code for a one-time scene and polls until the
user confirms it in the mini-program (services/weblogin.py); sandbox mode also lists the demo
users. Logout ends this login; "logout everywhere" ends every login of the person (API too)."""
from __future__ import annotations

import time

from flask import Response, current_app, g, jsonify, redirect, render_template, request, session, url_for

from ...services import auth, weblogin
from ...texts import lookup
from . import bp


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/console/") and not target.startswith("//"):
        return target
    return url_for("console.home")


def _begin(sid: str):
    session["sid"], session["seen"] = sid, int(time.time())
    session.pop("expired", None)
    session.pop("scene", None)


@bp.get("/login")
def login():
    scene = session["scene"] = weblogin.new_scene()
    sandbox = current_app.config["WECHAT_MODE"] == "sandbox"
    roles = lookup("catalog.roles")
    demo = [{"code": u["code"], "name": u["name"], "role": roles[u["role"]], "org": u["org"]}
            for u in lookup("demo_seed.users") if u["role"] != "participant"] if sandbox else []
    return render_template("console/login.html", scene=scene, sandbox=sandbox, demo_users=demo,
                           next=_safe_next(request.args.get("next")), expired=bool(request.args.get("expired")),
                           ttl=current_app.config["WEB_LOGIN_SCENE_TTL"])


@bp.get("/login/code.png")
def login_code():
    scene = session.get("scene")
    if not scene:
        return redirect(url_for("console.login"))
    return Response(weblogin.code_image(scene), mimetype="image/png", headers={"Cache-Control": "no-store"})


@bp.get("/login/poll")
def login_poll():
    scene = session.get("scene")
    if not scene:
        return jsonify({"status": "expired"})
    result = weblogin.claim(scene)
    if result in ("pending", "expired"):
        return jsonify({"status": result})
    _begin(result)
    return jsonify({"status": "done", "next": _safe_next(request.args.get("next"))})


@bp.post("/login/demo")
def login_demo():
    if current_app.config["WECHAT_MODE"] != "sandbox":
        return redirect(url_for("console.login"))
    _begin(weblogin.demo_login(request.form.get("code", "")).id)
    return redirect(_safe_next(request.form.get("next")))


@bp.post("/logout")
def logout():
    sid = session.pop("sid", None)
    if sid:
        auth.end_session(sid)
    session.clear()
    return redirect(url_for("console.login"))


@bp.post("/logout/everywhere")
def logout_everywhere():
    auth.revoke_all(g.user, actor=g.user)
    session.clear()
    return redirect(url_for("console.login"))
