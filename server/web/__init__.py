"""Browser pages: the H5 chat page at /, the API docs and the health check. The office console
is its own blueprint (server/web/console/). Certificates: the verification page, the published keys and
revocation list (certificates.py), the season's results announcement (results.py)."""
from flask import Blueprint

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/web")

from . import certificates, chat, docs, health, results  # noqa: E402,F401
