from flask import g, render_template

from . import bp, nav


@bp.get("/")
def home():
    return render_template("console/home.html", pages=nav.visible(g.user))
