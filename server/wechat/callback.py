"""GET/POST /wechat/callback: verify → dedupe → record → enqueue → `success`. No work inline."""
from __future__ import annotations

import logging

from flask import Blueprint, current_app, request

from ..services import inbound
from .push import Rejected, open_message, verify_url

log = logging.getLogger(__name__)
bp = Blueprint("wechat", __name__)


@bp.get("/wechat/callback")
def url_check():
    try:
        return verify_url(current_app.config, request.args.to_dict()), 200, {"Content-Type": "text/plain"}
    except Rejected as exc:
        log.warning("wechat url check rejected: %s", exc.reason)
        return "forbidden", exc.status


@bp.post("/wechat/callback")
def push():
    try:
        pushed = open_message(current_app.config, request.args.to_dict(), request.get_data(),
                              claim_nonce=inbound.claim_nonce)
    except Rejected as exc:
        log.warning("wechat push rejected: %s (from %s)", exc.reason, request.remote_addr)
        return exc.reason, exc.status, {"Content-Type": "text/plain"}
    inbound.accept(pushed)
    return "success", 200, {"Content-Type": "text/plain"}
