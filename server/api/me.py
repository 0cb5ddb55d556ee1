from flask import g

from ..services import auth as auth_service
from . import bp
from .endpoint import endpoint
from .schemas import MeOut, PhoneIn
from .views import me_out


@endpoint(bp, "/me", "GET", response=MeOut, tag="auth", summary="当前用户及其角色", errors=(401,))
def me():
    return me_out(g.user)


@endpoint(bp, "/me/phone", "POST", body=PhoneIn, response=MeOut, tag="auth",
          summary="用 getPhoneNumber 的 code 绑定手机号", errors=(400, 401, 503))
def bind_phone(payload: PhoneIn):
    return me_out(auth_service.bind_phone(g.user, payload.code))
