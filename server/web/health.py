from flask import jsonify

from ..services.health import check_health
from . import bp


@bp.get("/healthz")
def healthz():
    report = check_health()
    return jsonify(report), (200 if report["status"] == "ok" else 503)
