"""The page a certificate's QR code opens (GET /verify/{serial}?d=…&k=…&sig=…), in Chinese, for
phones; the published keys and the signed revocation list under /.well-known/. The page shows
what an honour roll shows (holder, entry title, award, season, date, issuers) and no more."""
from __future__ import annotations

from flask import Response, current_app, jsonify, render_template, request

from ..errors import TooManyRequests
from ..services.certificates import keys, verify, wxacode
from ..services.certificates.revoke import revocation_list
from ..texts import lookup
from . import bp

KEYS_PATH = "/.well-known/wx-certificate-keys.json"
REVOCATIONS_PATH = "/.well-known/wx-certificate-revocations.json"


@bp.get("/verify/<serial>")
def verify_page(serial: str):
    ui = lookup("certificate.page")
    if not verify.allow(request.remote_addr or "?"):
        return render_template("verify.html", ui=ui, result={"status": "limited", "serial": serial[:40]},
                               issuers=[]), 429, {"Retry-After": str(verify.seconds_left())}
    result = verify.check(serial, request.args.to_dict(flat=False))
    issuers = verify.issuers_of(result)
    status = 410 if result["status"] == "revoked" else 200
    response = current_app.make_response((render_template("verify.html", ui=ui, result=result,
                                                          issuers=issuers, keys_path=KEYS_PATH), status))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/verify/<serial>/wxacode.png")
def verify_wxacode(serial: str):
    """The mini-program code that opens the same check inside WeChat (a valid certificate only)."""
    if not verify.allow(request.remote_addr or "?"):
        raise TooManyRequests("certificate.errors.too_many_requests", code="rate_limited",
                              retry_after=verify.seconds_left())
    return Response(wxacode.code_png(serial), mimetype="image/png",
                    headers={"Cache-Control": "public, max-age=86400"})


@bp.get(KEYS_PATH)
def public_keys():
    response = jsonify(keys.public_keys_document())
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get(REVOCATIONS_PATH)
def revocations():
    response = jsonify(revocation_list())
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
