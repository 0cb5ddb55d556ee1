from flask import g, request

from ..services import auth as auth_service
from ..services import weblogin
from . import bp
from .endpoint import endpoint
from .schemas import LoginIn, LoginOut, OkOut, WebLoginIn
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


@endpoint(bp, "/auth/web-login", "POST", body=WebLoginIn, response=OkOut, tag="auth",
          summary="在小程序里确认电脑端工作台的扫码登录（scene 来自小程序码）", errors=(400, 401, 404))
def web_login(payload: WebLoginIn):
    weblogin.confirm(g.user, payload.scene)
    return OkOut()
