"""The WeChat gateway: wechatpy's client with the production traps removed (WECHAT.md).

- access_token from /cgi-bin/stable_token, stored in Redis (wechatpy RedisStorage) and shared
  by every gunicorn and RQ process; a Redis lock makes one process fetch while others wait.
- timeouts always set; wechatpy's auto_retry off; one explicit retry on 40001/42001.
- in sandbox mode every request to api.weixin.qq.com is sent to the loopback sandbox instead.
"""
from __future__ import annotations

import copy
import logging
import os
import time

import requests
from redis.exceptions import RedisError
from requests.adapters import HTTPAdapter
from urllib3.exceptions import NewConnectionError
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException
from wechatpy.session.redisstorage import RedisStorage

log = logging.getLogger(__name__)

API_ROOT = "https://api.weixin.qq.com/"
TOKEN_ERRORS = (40001, 40014, 42001)   # invalid credential, invalid token, expired token
# Keep tokens out of Redis for their last minutes so no process uses one about to expire.
TOKEN_SAFETY_MARGIN = 300
# Connections kept open per host: reminder fan-out keeps dozens of sends in flight per process.
POOL_SIZE = 64


class WeChatError(Exception):
    """A WeChat API answer with a non-zero errcode, or no answer at all (errcode None)."""

    def __init__(self, errcode: int | None, errmsg: str = ""):
        self.errcode = errcode
        self.errmsg = errmsg
        super().__init__(f"{errcode}: {errmsg}")


class WeChatUnreachable(WeChatError):
    """No answer. `maybe_sent` when the request went out and the answer did not come back (a
    read timeout): WeChat may have acted on it, so a message must not simply be sent again."""

    def __init__(self, reason: str, maybe_sent: bool = False):
        super().__init__(None, reason)
        self.maybe_sent = maybe_sent


def _never_sent(exc: Exception) -> bool:
    """True only when the request certainly did not reach WeChat (no connection was made)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    if isinstance(exc, requests.ConnectionError):
        reason = getattr(exc.args[0], "reason", None) if exc.args else None
        return isinstance(reason, NewConnectionError)
    return False


def _unreachable(exc: Exception) -> WeChatUnreachable:
    # A connection dropped after the request was written (keep-alive reset, read timeout) may
    # have been acted on: only a failure to connect is known not to have been.
    return WeChatUnreachable(type(exc).__name__, maybe_sent=not _never_sent(exc))


class _RedirectAdapter(HTTPAdapter):
    """Sends requests meant for api.weixin.qq.com to the sandbox base URL."""

    def __init__(self, base_url: str):
        super().__init__(pool_maxsize=POOL_SIZE)
        self.base_url = base_url.rstrip("/") + "/"

    def send(self, request, **kwargs):
        request.url = self.base_url + request.url[len(API_ROOT):]
        return super().send(request, **kwargs)


class GatewayClient(WeChatClient):
    def __init__(self, appid: str, secret: str, redis, *, timeout: float = 5.0,
                 sandbox_url: str | None = None):
        storage = RedisStorage(redis, prefix="wechatpy")
        super().__init__(appid, secret, session=storage, timeout=timeout, auto_retry=False)
        self.redis = redis
        self.base_url = sandbox_url.rstrip("/") + "/" if sandbox_url else API_ROOT
        # requests re-reads proxy and CA settings from the environment on every call (a scan
        # of os.environ each time); read them once here instead.
        self._http.trust_env = False
        self._http.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        if sandbox_url:
            self._http.mount(API_ROOT, _RedirectAdapter(sandbox_url))   # loopback: never via a proxy
        else:
            self._http.mount(API_ROOT, HTTPAdapter(pool_maxsize=POOL_SIZE))
            self._http.proxies.update(requests.utils.get_environ_proxies(API_ROOT))

    # -- access token -------------------------------------------------------------------
    @property
    def access_token(self) -> str:
        # Redis' TTL decides freshness for every process alike (not this instance's clock).
        try:
            token = self.session.get(self.access_token_key)
            return token or self.fetch_access_token(stale=None)
        except RedisError as exc:
            return self._token_without_redis(exc)

    def fetch_access_token(self, stale: str | None = None) -> str:  # type: ignore[override]
        """Fetch via stable_token under a Redis lock. If another process refreshed while we
        waited (the stored token differs from the one we found stale), use theirs."""
        lock = self.redis.lock(f"wechatpy:{self.appid}_token_lock", timeout=15, blocking_timeout=15)
        with lock:
            current = self.session.get(self.access_token_key)
            if current and current != stale:
                return current
            token, ttl = self._stable_token()
            self.session.set(self.access_token_key, token, ttl)
            return token

    def _stable_token(self) -> tuple[str, int]:
        result = self._raw("post", "cgi-bin/stable_token", json={
            "grant_type": "client_credential", "appid": self.appid,
            "secret": self.secret, "force_refresh": False})
        return result["access_token"], max(int(result.get("expires_in", 7200)) - TOKEN_SAFETY_MARGIN, 60)

    def _token_without_redis(self, exc: Exception) -> str:
        """Redis is down: WeChat must still answer people. stable_token without force_refresh
        hands every process the same token (it never invalidates another's), so each process
        may fetch it and keep it in memory until Redis is back."""
        token, expires = self._local_token
        if token and time.monotonic() < expires:
            return token
        log.warning("token store unavailable (%s); using stable_token directly", exc)
        token, ttl = self._stable_token()
        self._local_token = (token, time.monotonic() + ttl)
        return token

    _local_token: tuple[str | None, float] = (None, 0.0)

    def invalidate_token(self, token: str) -> None:
        if self._local_token[0] == token:
            self._local_token = (None, 0.0)
        try:
            if self.session.get(self.access_token_key) == token:
                self.session.delete(self.access_token_key)
        except RedisError as exc:
            log.warning("could not drop the rejected token from Redis: %s", exc)

    # -- requests -----------------------------------------------------------------------
    def _raw(self, method: str, path: str, **kwargs) -> dict:
        """A call that carries no access_token (login, token fetch)."""
        try:
            res = self._http.request(method, API_ROOT + path, timeout=self.timeout, **kwargs)
            res.raise_for_status()
        except requests.RequestException as exc:
            raise _unreachable(exc) from exc
        try:
            result = res.json()
        except ValueError as exc:
            raise WeChatUnreachable("non-JSON answer") from exc
        errcode = int(result.get("errcode", 0) or 0)
        if errcode:
            raise WeChatError(errcode, result.get("errmsg", ""))
        return result

    def _request(self, method, url_or_endpoint, **kwargs):
        """wechatpy's request with one explicit retry when the token was rejected."""
        caller_token = isinstance(kwargs.get("params"), dict) and "access_token" in kwargs["params"]
        for attempt in (1, 2):
            call_kwargs = copy.deepcopy(kwargs)
            token = None
            if not caller_token:
                token = self.access_token
                call_kwargs.setdefault("params", {})["access_token"] = token
            call_kwargs.setdefault("timeout", self.timeout)
            try:
                return super()._request(method, url_or_endpoint, **call_kwargs)
            except WeChatClientException as exc:
                if exc.errcode in TOKEN_ERRORS and token and attempt == 1:
                    log.info("wechat token rejected (%s), refreshing once", exc.errcode)
                    self.invalidate_token(token)
                    continue
                if exc.errcode is None:
                    raise WeChatUnreachable(f"HTTP error {getattr(exc.response, 'status_code', '')}") from exc
                raise WeChatError(exc.errcode, exc.errmsg) from exc
            except requests.RequestException as exc:
                raise _unreachable(exc) from exc
        raise AssertionError("unreachable")

    # -- mini-program APIs used by the services -----------------------------------------
    def code_to_session(self, js_code: str) -> dict:
        # Not wechatpy's wxa.code_to_session: it needlessly fetches an access_token first.
        return self._raw("get", "sns/jscode2session", params={
            "appid": self.appid, "secret": self.secret, "js_code": js_code,
            "grant_type": "authorization_code"})

    def get_phone_number(self, code: str) -> dict:
        result = self.post("wxa/business/getuserphonenumber", data={"code": code}, api_base_url=API_ROOT)
        return result["phone_info"]

    def send_subscribe(self, openid: str, template_id: str, data: dict, page: str | None = None,
                       state: str = "formal") -> dict:
        body = {"touser": openid, "template_id": template_id, "data": data,
                "miniprogram_state": state, "lang": "zh_CN"}
        if page:
            body["page"] = page
        return self.post("message/subscribe/send", data=body)

    def send_text(self, openid: str, text: str) -> dict:
        return self.post("message/custom/send", data={
            "touser": openid, "msgtype": "text", "text": {"content": text}})

    def typing(self, openid: str, on: bool = True) -> dict:
        return self.post("message/custom/typing", data={
            "touser": openid, "command": "Typing" if on else "CancelTyping"})

    def download_media(self, media_id: str) -> bytes:
        res = self.get("media/get", params={"media_id": media_id})
        if isinstance(res, requests.Response):
            return res.content
        raise WeChatError(int(res.get("errcode", -1)), res.get("errmsg", ""))

    def upload_media(self, kind: str, filename: str, content: bytes) -> str:
        return self.media.upload(kind, (filename, content))["media_id"]

    def msg_sec_check(self, openid: str, content: str, scene: int = 2) -> dict:
        # wechatpy 1.8.18 sends v1 bodies only; post v2 ourselves.
        return self.post("wxa/msg_sec_check", data={
            "version": 2, "openid": openid, "scene": scene, "content": content}, api_base_url=API_ROOT)

    def wxa_code_unlimited(self, scene: str, page: str, width: int = 430,
                           env_version: str = "release", check_path: bool = True) -> bytes:
        res = self.post("wxa/getwxacodeunlimit", data={
            "scene": scene, "page": page, "width": width, "env_version": env_version,
            "check_path": check_path}, api_base_url=API_ROOT)
        if isinstance(res, requests.Response):
            return res.content
        raise WeChatError(int(res.get("errcode", -1)), res.get("errmsg", ""))


def build_client(config: dict, redis) -> GatewayClient:
    sandbox = config["WECHAT_SANDBOX_URL"] if config["WECHAT_MODE"] == "sandbox" else None
    return GatewayClient(config["WECHAT_APPID"], config["WECHAT_SECRET"], redis,
                         timeout=config["WECHAT_TIMEOUT"], sandbox_url=sandbox)
