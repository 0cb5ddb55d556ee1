"""The mini-program JSON API (/api/v1)."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# Importing the resource modules registers their routes on bp.
from . import admin, admin_seasons, auth, awards, certificates, dialogue, entries, me, meta, orgs, publicity, reports, review, scoring, stats, subscriptions, tallies  # noqa: E402,F401
