"""Browser pages: the H5 chat page at /, the API docs and the health check. (The admin
console and the certificate verification page come with their issues.)"""
from flask import Blueprint

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/web")

from . import certificates, chat, docs, health, results  # noqa: E402,F401
