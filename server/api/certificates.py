"""Certificates: the public check (GET /certificates/{serial}), revocation by the city office,
and a holder's list and downloads (GET /me/certificates)."""
from __future__ import annotations

from flask import Response, current_app, g, request
from pydantic import BaseModel, Field

from ..errors import TooManyRequests, ValidationError
from ..services.certificates import holders, revoke as revoking, verify
from . import bp
from .endpoint import Route, ROUTES, endpoint


class CertificateSeasonOut(BaseModel):
    id: int
    name: str
    year: int


class CertificateFacts(BaseModel):
    serial: str
    holder: str
    title: str
    award: str
    award_label: str
    season: CertificateSeasonOut
    issued_on: str


class RevokedOut(BaseModel):
    revoked_at: str
    reason: str | None
    replaced_by: str | None = Field(None, description="the serial of the certificate that replaced this one")


class CertificateStatusOut(BaseModel):
    serial: str
    status: str = Field(description="valid | revoked | invalid")
    reason: str | None = None
    signed: bool = Field(False, description="true when the QR code's signature was checked too")
    certificate: CertificateFacts | None = None
    revoked: RevokedOut | None = None


class RevokeIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


class UnitRefOut(BaseModel):
    id: int
    name: str


class MyCertificateOut(CertificateFacts):
    status: str
    holder_kind: str = Field(description="person（个人的获奖证书）| org（本单位的证书：优胜单位、优秀组织奖，单位管理员均可下载）")
    unit: UnitRefOut | None = Field(None, description="单位证书的获奖单位；个人证书为 null")
    verify_url: str
    downloads: dict[str, str]


class MyCertificatesOut(BaseModel):
    certificates: list[MyCertificateOut]


def rate_limited() -> None:
    if not verify.allow(request.remote_addr or "?"):
        raise TooManyRequests("certificate.errors.too_many_requests", code="rate_limited",
                              retry_after=verify.seconds_left())


def check_response(serial: str) -> tuple[dict, int]:
    rate_limited()
    result = verify.check(serial, request.args.to_dict(flat=False))
    return result, 410 if result["status"] == "revoked" else 200


@endpoint(bp, "/certificates/<serial>", "GET", response=CertificateStatusOut, auth=False, tag="certificates",
          summary="核验证书：valid / revoked（HTTP 410，含原因与日期）/ invalid（被改动或不存在）；可带二维码中的 d、k、sig",
          errors=(410, 429))
def certificate_status(serial: str):
    return check_response(serial)


@endpoint(bp, "/admin/certificates/<serial>/revoke", "POST", body=RevokeIn, response=CertificateStatusOut,
          tag="certificates", summary="撤销证书（市级管理员，须写原因，记入审计）", errors=(400, 401, 403, 404, 409))
def revoke_certificate(serial: str, payload: RevokeIn):
    cert = revoking.revoke(g.user, serial, payload.reason)
    return verify.check(cert.serial, None), 200


@endpoint(bp, "/me/certificates", "GET", response=MyCertificatesOut, tag="certificates",
          summary="我的获奖证书和我管理的单位的证书（holder_kind 区分），含核验地址和 PDF / PNG 下载链接", errors=(401,))
def my_certificates():
    return {"certificates": holders.list_for(g.user, current_app.config["PUBLIC_BASE_URL"])}


def download_certificate(serial: str):
    from ..services.auth import authenticate
    user = authenticate(request.headers.get("Authorization"))
    fmt = request.args.get("format", "pdf")
    if fmt not in ("pdf", "png", "ob3"):
        raise ValidationError("certificate.errors.bad_format", code="bad_format", field="format")
    data, mimetype = holders.file_for(user, serial, fmt, current_app.config["PUBLIC_BASE_URL"])
    suffix = {"ob3": "jwt"}.get(fmt, fmt)
    return Response(data, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="certificate-{serial}.{suffix}"',
        "Cache-Control": "private, max-age=300"})


bp.add_url_rule("/me/certificates/<serial>/file", endpoint="download_certificate",
                view_func=download_certificate, methods=["GET"])
ROUTES.append(Route(bp.url_prefix + "/me/certificates/<serial>/file", "GET",
                    "下载我的证书（?format=pdf 打印版 A4 横向，?format=png 手机版，?format=ob3 Open Badges 3.0 VC-JWT）", None, None, True,
                    "certificates", (400, 401, 404)))
