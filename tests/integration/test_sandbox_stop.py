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


def test_the_sandbox_stops_when_its_wake_up_pipe_is_already_closed():
    """As when its loop ended on a bad descriptor before stop(): no OSError, the thread ends."""
    server = SandboxServer().start()
    assert requests.get(server.url + "/__sandbox__/calls", timeout=5).status_code == 200
    server.server.trigger.close()                    # both ends of the pipe, as the loop's own close does
    server.stop()
    server.thread.join(5)
    assert not server.thread.is_alive()
