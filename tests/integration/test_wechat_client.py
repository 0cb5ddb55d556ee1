"""The WeChat gateway against the sandbox: stable_token shared through Redis, one retry on
40001/42001 (never wechatpy's unbounded auto_retry), timeouts, and the sandbox's endpoints."""
from __future__ import annotations

import io
import json
import multiprocessing
import os
import time

import pytest
from PIL import Image

from server.extensions import redis_client
from server.wechat import gateway
from server.wechat.client import WeChatError, WeChatUnreachable

from ..token_child import fetch_token

TOKEN_KEY = "wechatpy:wxsandbox0000000001_access_token"


def test_token_is_fetched_once_and_kept_in_redis(ctx, wx):
    client = gateway()
    first = client.access_token
    assert client.access_token == first
    assert json.loads(redis_client().get(TOKEN_KEY)) == first   # wechatpy RedisStorage stores JSON
    ttl = redis_client().ttl(TOKEN_KEY)
    assert 7200 - 300 - 5 <= ttl <= 7200 - 300          # expires before WeChat's own expiry
    assert len(wx.calls("stable_token")) == 1
    assert wx.calls("stable_token")[0]["data"]["force_refresh"] is False


def test_wechat_still_answers_while_redis_is_down(ctx, wx):
    from redis import Redis

    from server.wechat.client import GatewayClient
    from tests.e2e.processes import free_port
    dead = Redis(port=free_port(), socket_connect_timeout=0.5)        # nothing listens there
    client = GatewayClient("wxsandbox0000000001", "sandbox-secret", dead, timeout=2,
                           sandbox_url=wx.url)
    assert client.msg_sec_check("o-someone", "你好")["result"]["suggest"] == "pass"
    assert client.msg_sec_check("o-someone", "再见")["result"]["suggest"] == "pass"
    assert len(wx.calls("stable_token")) == 1          # kept in memory meanwhile, not fetched per call
    wx.expire_tokens(revoke=True)                      # rejected: dropped and fetched again, once
    assert client.msg_sec_check("o-someone", "好")["result"]["suggest"] == "pass"
    assert len(wx.calls("stable_token")) == 2


def test_two_processes_share_one_token_fetch(ctx, wx):
    wx.fault("stable_token", None, times=None, delay=0.5)   # widen the race window
    mp = multiprocessing.get_context("spawn")
    start, out = mp.Event(), mp.Queue()
    procs = [mp.Process(target=fetch_token, args=(os.environ["REDIS_URL"], wx.url, start, out))
             for _ in range(2)]
    for p in procs:
        p.start()
    time.sleep(1.5)   # both processes are importing and then waiting on the event
    start.set()
    tokens = [out.get(timeout=30) for _ in procs]
    for p in procs:
        p.join(10)
    assert tokens[0] == tokens[1]
    assert len(wx.calls("stable_token")) == 1


def test_rejected_token_is_refreshed_and_the_call_retried_once(ctx, wx):
    client = gateway()
    old = client.access_token
    wx.expire_tokens(revoke=True)                  # WeChat answers 40001 for the cached token
    assert client.send_text("openid-1", "你好")["errcode"] == 0
    assert client.access_token != old
    sends = wx.calls("custom_send")
    assert len(sends) == 2 and len(wx.calls("stable_token")) == 2


def test_repeated_token_errors_stop_after_one_retry(ctx, wx):
    client = gateway()
    client.access_token
    wx.fault("custom_send", 42001, times=None)
    with pytest.raises(WeChatError) as exc:
        client.send_text("openid-1", "你好")
    assert exc.value.errcode == 42001
    assert len(wx.calls("custom_send")) == 2       # not an unbounded recursion


def test_other_errors_are_not_retried(ctx, wx):
    wx.fault("subscribe_send", 43101)
    with pytest.raises(WeChatError) as exc:
        gateway().send_subscribe("openid-1", "tmpl", {"thing1": {"value": "截止提醒"}})
    assert exc.value.errcode == 43101
    assert len(wx.calls("subscribe_send")) == 1


def test_timeout_is_always_set(ctx, wx):
    gateway().access_token
    wx.fault("custom_typing", None, delay=3)        # the test client's timeout is 2 s
    began = time.monotonic()
    with pytest.raises(WeChatUnreachable):
        gateway().typing("openid-1")
    assert time.monotonic() - began < 2.9


def test_sandbox_message_and_media_endpoints(ctx, wx):
    client = gateway()
    body = wx.calls  # shorthand
    assert client.send_subscribe("openid-1", "tmpl-1", {"thing1": {"value": "请在9月10日前提交"}},
                                 page="pages/index/index")["errcode"] == 0
    sent = body("subscribe_send")[0]["data"]
    assert sent["miniprogram_state"] == "formal" and sent["lang"] == "zh_CN"
    assert client.typing("openid-1")["errcode"] == 0
    assert body("custom_typing")[0]["data"]["command"] == "Typing"

    png = io.BytesIO()
    Image.new("RGB", (20, 30), "red").save(png, format="PNG")
    media_id = client.upload_media("image", "photo.png", png.getvalue())
    assert client.download_media(media_id) == png.getvalue()
    with pytest.raises(WeChatError) as exc:
        client.download_media("no-such-media")
    assert exc.value.errcode == 40007
    pushed = wx.put_media(b"\xff\xd8jpeg-bytes")
    assert client.download_media(pushed) == b"\xff\xd8jpeg-bytes"


def test_sandbox_content_check_and_wxacode(ctx, wx):
    client = gateway()
    assert client.msg_sec_check("openid-1", "改进了皮带输送机，年节约电费12万元")["result"]["suggest"] == "pass"
    assert client.msg_sec_check("openid-1", "这里有赌博网站")["result"]["suggest"] == "risky"
    assert wx.calls("msg_sec_check")[0]["data"]["version"] == 2
    image = Image.open(io.BytesIO(client.wxa_code_unlimited("entry=12", "pages/verify/index", width=300)))
    assert image.size == (300, 300)
    with pytest.raises(WeChatError) as exc:
        client.wxa_code_unlimited("entry=12", "/pages/verify/index")
    assert exc.value.errcode == 41030
    with pytest.raises(WeChatError) as exc:
        client.wxa_code_unlimited("x" * 33, "pages/verify/index")
    assert exc.value.errcode == 40169


def test_sandbox_checks_credentials_and_tokens(wx):
    import requests
    r = requests.post(f"{wx.url}/cgi-bin/stable_token", json={
        "grant_type": "client_credential", "appid": "wxsandbox0000000001", "secret": "wrong"}).json()
    assert r["errcode"] == 40125
    assert requests.post(f"{wx.url}/cgi-bin/message/custom/send", json={}).json()["errcode"] == 41001
    assert requests.post(f"{wx.url}/cgi-bin/message/custom/send?access_token=nope", json={}).json()["errcode"] == 40001
    ok = lambda: requests.get(f"{wx.url}/cgi-bin/token", params={  # noqa: E731
        "grant_type": "client_credential", "appid": "wxsandbox0000000001", "secret": "sandbox-secret"}).json()
    first, second = ok()["access_token"], ok()["access_token"]
    # The replaced token keeps working during the overlap.
    assert requests.post(f"{wx.url}/cgi-bin/message/custom/typing?access_token={first}",
                         json={"touser": "o", "command": "Typing"}).json()["errcode"] == 0
    assert first != second


def test_sandbox_log_tells_accepted_from_refused_calls(ctx, wx):
    client = gateway()
    client.access_token
    wx.expire_tokens(revoke=True)
    client.send_text("openid-9", "你好")
    assert [c["errcode"] for c in wx.calls("custom_send")] == [40001, 0]
