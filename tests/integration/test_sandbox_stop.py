"""The in-process WeChat sandbox (tests, the launcher's fallback) stops without a traceback,
even with a kept-alive connection open: its sockets are closed from its own loop thread."""
from __future__ import annotations

import threading

import requests

from server.wechat.sandbox import SandboxServer


def test_the_sandbox_stops_cleanly_with_a_connection_open():
    errors = []
    previous = threading.excepthook
    threading.excepthook = errors.append
    try:
        for _ in range(3):
            server = SandboxServer().start()
            session = requests.Session()                 # keeps its connection alive
            assert session.get(server.url + "/__sandbox__/calls", timeout=5).status_code == 200
            server.stop()
            assert not server.thread.is_alive()
            session.close()
    finally:
        threading.excepthook = previous
    assert errors == []
