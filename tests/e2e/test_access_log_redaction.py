"""gunicorn as scripts/run.sh starts it (config read from gunicorn.conf.py in the project root):
a push's signature, timestamp and nonce never reach the access log (issue 13, item 1)."""
from __future__ import annotations

import requests

from server.wechat.sandbox import openid_for_code

from ..wechat_push import push_args, xml_text
from .processes import free_port, start, stop, wait_http


def test_the_access_log_shows_the_push_but_not_its_signature(ctx, tmp_path):
    log = tmp_path / "access.log"
    port = free_port()
    web = start("-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}", "--access-logfile", str(log),
                "wsgi:app")
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz")
        args, body = push_args(xml_text(openid_for_code("demo-participant"), "申报", msg_id=1))
        res = requests.post(f"http://127.0.0.1:{port}/wechat/callback", params=args, data=body.encode(), timeout=10)
        assert res.status_code == 200
    finally:
        stop(web)
    text = log.read_text()
    assert "/wechat/callback" in text and "[redacted]" in text
    for secret in (args["signature"], args["nonce"], args["timestamp"]):
        assert secret not in text
