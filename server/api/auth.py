from flask import request

from ..services import auth as auth_service
from . import bp
from .endpoint import endpoint
from .schemas import LoginIn, LoginOut, OkOut
from .views import user_out


@endpoint(bp, "/auth/login", "POST", body=LoginIn, response=LoginOut, auth=False, tag="auth",
          summary="用 wx.login() 的 code 登录，换取访问令牌", errors=(400, 401, 403, 429, 503))
def login(payload: LoginIn):
    token, session = auth_service.login(payload.code)
    return LoginOut(token=token, expires_at=session.expires_at, user=user_out(session.user))


@endpoint(bp, "/auth/logout", "POST", response=OkOut, tag="auth", summary="退出登录（令牌立即失效）",
          errors=(401,))
def logout():
    auth_service.logout(request.headers["Authorization"][len("Bearer "):].strip())
    return OkOut()
