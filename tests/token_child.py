"""Runs in a separate process: fetch the WeChat access_token through the shared Redis."""
from __future__ import annotations


def fetch_token(redis_url: str, sandbox_url: str, start, out) -> None:
    from redis import Redis

    from server.wechat.client import GatewayClient
    client = GatewayClient("wxsandbox0000000001", "sandbox-secret", Redis.from_url(redis_url),
                           timeout=5, sandbox_url=sandbox_url)
    start.wait(10)
    out.put(client.access_token)
