"""The office console (/console, issue 14): server-rendered pages for unit, county and city
staff, with a cookie session (server/hooks/sessions.py) backed by a login session row, CSRF on
every form, and navigation from a registry of pages (nav.py) — a later capability adds a page
with one `nav.page(...)` entry and its view module imported below."""
from flask import Blueprint

bp = Blueprint("console", __name__, url_prefix="/console", template_folder="templates",
               static_folder="static", static_url_path="/static")

# One line per capability: the shell first, then each capability's pages.
from . import guard, filters, login, home  # noqa: E402,F401
from . import seasons, orgs, people, audit, health, stats  # noqa: E402,F401
from . import review, review_entry, review_sheets  # noqa: E402,F401
from . import experts, panels, my_scoring  # noqa: E402,F401
from . import certificates  # noqa: E402,F401
from . import org_awards, winners  # noqa: E402,F401
from . import tallies, reports  # noqa: E402,F401
from . import results, objections  # noqa: E402,F401
