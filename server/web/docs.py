"""Interactive API docs: Swagger UI served from the pinned swagger-ui-bundle, no CDN."""
from flask import render_template, send_from_directory
from swagger_ui_bundle import swagger_ui_path

from . import bp


@bp.get("/api/docs")
@bp.get("/api/docs/")
def api_docs():
    return render_template("api_docs.html")


@bp.get("/api/docs/static/<path:filename>")
def api_docs_static(filename: str):
    return send_from_directory(swagger_ui_path, filename, max_age=86400)
