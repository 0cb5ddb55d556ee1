"""WeChat: the API gateway (client.py), the loopback sandbox (sandbox.py)."""
from flask import current_app


def gateway():
    """The app's WeChat client, one per process (its access_token lives in Redis)."""
    client = current_app.extensions.get("wechat")
    if client is None:
        from ..extensions import redis_client
        from .client import build_client
        client = current_app.extensions["wechat"] = build_client(current_app.config, redis_client())
    return client
