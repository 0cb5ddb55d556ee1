"""The bulk sender (server/wechat/bulk.py, the reminder fan-out's sends) answers every outcome
exactly as the gateway's send_subscribe does — same exception, errcode and `maybe_sent` — so
notify/fanout treat a failed send alike whichever made it. Each case runs the same fault
through both, against the sandbox."""
from __future__ import annotations

import time

import pytest
import requests

from server.wechat import gateway
from server.wechat.bulk import BulkSender
from server.wechat.client import GatewayClient, WeChatError, WeChatUnreachable
from tests.e2e.processes import free_port

DATA = {"thing1": {"value": "截止提醒"}, "time2": {"value": "2026-09-05 23:59"}}

# (case, faults to switch on before each send, expected calls the sandbox sees per send)
CASES = [
    ("accepted", [], 1),
    ("refused consent 43101", [dict(errcode=43101)], 1),
    ("rate limited 45009", [dict(errcode=45009)], 1),
    ("system busy -1", [dict(errcode=-1)], 1),
    ("bad data 47003", [dict(errcode=47003)], 1),
    ("token expired once 42001: refreshed, sent again", [dict(errcode=42001)], 2),
    ("token rejected twice 40001: one retry only", [dict(errcode=40001, times=2)], 2),
    ("HTTP 502 from the gateway", [dict(http_status=502)], 1),
    ("no answer within the timeout", [dict(delay=3)], 1),
]


def outcome(send) -> tuple:
    try:
        send()
    except WeChatUnreachable as exc:
        return ("unreachable", exc.maybe_sent)
    except WeChatError as exc:
        return ("error", exc.errcode)
    return ("sent", None)


@pytest.mark.parametrize("case,faults,calls", CASES, ids=[c[0] for c in CASES])
def test_the_bulk_sender_fails_as_the_gateway_does(ctx, wx, case, faults, calls):
    got = {}
    gateway().access_token                         # both start with a valid token in Redis
    for name, client in (("gateway", gateway()), ("bulk", BulkSender(gateway()))):
        requests.delete(f"{wx.url}/__sandbox__/faults", timeout=5).raise_for_status()
        before = len(wx.calls("subscribe_send"))
        for fault in faults:
            wx.fault("subscribe_send", fault.get("errcode"), times=fault.get("times", 1),
                     delay=fault.get("delay"), http_status=fault.get("http_status"))
        got[name] = outcome(lambda: client.send_subscribe("o-bulk-1", "tmpl-1", DATA, page="pages/index/index"))
        made = wx.calls("subscribe_send")[before:]
        assert len(made) == calls, (name, made)
        assert made[-1]["data"] == {"touser": "o-bulk-1", "template_id": "tmpl-1", "data": DATA,
                                    "miniprogram_state": "formal", "lang": "zh_CN", "page": "pages/index/index"}
    assert got["bulk"] == got["gateway"], got


def test_nothing_listening_means_never_sent_for_both(ctx, wx):
    """No connection made: WeChat cannot have the message, so it may be sent again later."""
    nowhere = f"http://127.0.0.1:{free_port()}"
    token = gateway().access_token
    client = GatewayClient("wxsandbox0000000001", "sandbox-secret", gateway().redis, timeout=2, sandbox_url=nowhere)
    bulk = BulkSender(client)
    bulk._token = (token, time.monotonic())      # the token is read from Redis; only the send fails
    assert outcome(lambda: bulk.send_subscribe("o-1", "tmpl-1", DATA)) == ("unreachable", False)
    assert outcome(lambda: client.send_subscribe("o-1", "tmpl-1", DATA)) == ("unreachable", False)


def test_the_token_is_read_once_per_batch_not_per_send(ctx, wx, monkeypatch):
    from server.wechat import bulk as bulk_module
    reads = []
    client = gateway()
    real = type(client).access_token.fget
    monkeypatch.setattr(type(client), "access_token", property(lambda self: reads.append(1) or real(self)))
    sender = BulkSender(client)
    for i in range(20):
        sender.send_subscribe(f"o-{i}", "tmpl-1", DATA)
    assert len(reads) == 1
    monkeypatch.setattr(bulk_module, "TOKEN_REUSE_SECONDS", -1)     # past its reuse time: read again
    sender.send_subscribe("o-x", "tmpl-1", DATA)
    assert len(reads) == 2
    assert len(wx.calls("subscribe_send")) == 21
