"""Subscribe messages in bulk (a reminder batch): the same call as GatewayClient.send_subscribe,
made with urllib3 alone.

Why not the gateway: a reminder fan-out keeps 64 sends in flight per worker and is bounded by
CPU. Measured per send on this machine (32 threads against the sandbox, 2026-11-30):
GatewayClient 1.6–2.0 ms of CPU — wechatpy 0.1–0.3 ms, requests' session machinery about
0.7 ms, a Redis GET of the access token 0.2 ms — against 0.8–0.9 ms for the same POST through
urllib3 (the library requests itself sends with). The answers are read as the gateway reads
them, and a failure means the same thing (WeChatError / WeChatUnreachable with the same
`maybe_sent`), so notify and fanout treat both alike."""
from __future__ import annotations

import json
import logging
import threading
import time

import certifi
import urllib3
from redis.exceptions import RedisError
from urllib3.exceptions import ConnectTimeoutError, HTTPError

from .client import POOL_SIZE, TOKEN_ERRORS, GatewayClient, WeChatError, WeChatUnreachable

log = logging.getLogger(__name__)
TOKEN_REUSE_SECONDS = 30     # how long a process reuses the token it read from Redis


def _pool(client: GatewayClient) -> urllib3.PoolManager:
    """Connections as the gateway's: its timeout, CA bundle and (live only) environment proxy.
    retries=False: a send is made once — urllib3 would otherwise send again on a dropped
    connection, and a message must never go out twice."""
    options = {"maxsize": POOL_SIZE, "retries": False,
               "timeout": urllib3.Timeout(connect=client.timeout, read=client.timeout)}
    if client.base_url.startswith("https://"):
        verify = client._http.verify
        options["ca_certs"] = verify if isinstance(verify, str) else certifi.where()
    proxy = client._http.proxies.get("https") if client.base_url.startswith("https://") else None
    return urllib3.ProxyManager(proxy, **options) if proxy else urllib3.PoolManager(**options)


class BulkSender:
    """`send_subscribe` with the gateway's token, base URL and timeout. The token is read from
    the shared store at most every TOKEN_REUSE_SECONDS (stable_token hands every process the
    same one; a rejected token is dropped here and in Redis, and the send is tried once more,
    as the gateway does). Thread-safe: one sender serves a batch's thread pool."""

    def __init__(self, client: GatewayClient):
        self.client = client
        self.url = client.base_url + "cgi-bin/message/subscribe/send"
        self.http = _pool(client)
        self._token: tuple[str | None, float] = (None, 0.0)      # (token, monotonic time read)
        self._lock = threading.Lock()

    def token(self) -> str:
        token, read_at = self._token
        if token and time.monotonic() - read_at < TOKEN_REUSE_SECONDS:
            return token
        with self._lock:
            token, read_at = self._token
            if not (token and time.monotonic() - read_at < TOKEN_REUSE_SECONDS):
                token = self.client.access_token
                self._token = (token, time.monotonic())
        return token

    def _drop(self, token: str) -> None:
        with self._lock:
            if self._token[0] == token:
                self._token = (None, 0.0)
        self.client.invalidate_token(token)

    def send_subscribe(self, openid: str, template_id: str, data: dict, page: str | None = None,
                       state: str = "formal") -> dict:
        """POST /cgi-bin/message/subscribe/send. Returns WeChat's answer (errcode 0).

        Raises WeChatError (non-zero errcode after one retry on 40001/40014/42001) or
        WeChatUnreachable (no answer; `maybe_sent` unless no connection was made)."""
        body = {"touser": openid, "template_id": template_id, "data": data,
                "miniprogram_state": state, "lang": "zh_CN"}
        if page:
            body["page"] = page
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        for attempt in (1, 2):
            token = self.token()
            result = self._post(token, payload)
            errcode = int(result.get("errcode", 0) or 0)
            if errcode in TOKEN_ERRORS and attempt == 1:
                log.info("wechat token rejected (%s), refreshing once", errcode)
                try:
                    self._drop(token)
                except RedisError as exc:
                    log.warning("could not drop the rejected token: %s", exc)
                continue
            if errcode:
                raise WeChatError(errcode, result.get("errmsg", ""))
            return result
        raise AssertionError("unreachable")

    def _post(self, token: str, payload: bytes) -> dict:
        try:
            res = self.http.request("POST", f"{self.url}?access_token={token}", body=payload,
                                    headers={"Content-Type": "application/json"}, redirect=False)
        except ConnectTimeoutError as exc:        # NewConnectionError too: nothing went out
            raise WeChatUnreachable(type(exc).__name__, maybe_sent=False) from exc
        except HTTPError as exc:                  # written, then no answer: it may have arrived
            raise WeChatUnreachable(type(exc).__name__, maybe_sent=True) from exc
        if res.status >= 400:                     # as wechatpy's raise_for_status in the gateway
            raise WeChatUnreachable(f"HTTP error {res.status}")
        try:
            result = json.loads(res.data)
        except ValueError:
            result = None
        if not isinstance(result, dict):          # answered, but not as WeChat answers: it may
            raise WeChatUnreachable("non-JSON answer", maybe_sent=True)   # have gone out
        return result
