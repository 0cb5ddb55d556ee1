"""The H5 chat page at /: works in WeChat's in-app browser and, in sandbox mode, is the
simulator (log in as any demo user). It talks to the same /api/v1 as the mini-program."""
from flask import current_app, render_template

from ..services.seasons import current_season
from ..texts import lookup
from . import bp


@bp.get("/")
def chat_page():
    sandbox = current_app.config["WECHAT_MODE"] == "sandbox"
    demo_users = lookup("demo_seed.users") if sandbox else []
    roles = lookup("catalog.roles")
    return render_template("chat.html", season=current_season(), sandbox=sandbox,
                           demo_users=[{"code": u["code"], "name": u["name"], "role": roles[u["role"]],
                                        "org": u["org"]} for u in demo_users],
                           ui=lookup("pages.chat"))
