"""The office console (/console, issue 14): server-rendered pages for unit, county and city
staff, with a cookie session (server/hooks/sessions.py) backed by a login session row, CSRF on
every form, and navigation from a registry of pages (nav.py) — a later capability adds a page
with one `nav.page(...)` entry and its view module imported below."""
from flask import Blueprint

bp = Blueprint("console", __name__, url_prefix="/console", template_folder="templates",
               static_folder="static", static_url_path="/static")

from . import guard, filters, login, home, seasons, orgs, people, audit, health, stats, results, objections  # noqa: E402,F401
