"""tests/unit does no I/O: a unit test that connects a socket (database, Redis, the WeChat
sandbox, any HTTP) or starts a process fails here. Reading the repo's own files (templates,
flows, source) is fine. A test that needs more belongs in tests/integration."""
from __future__ import annotations

import socket
import subprocess

import pytest


class UnitTestIO(AssertionError):
    pass


def _refuse(what: str):
    def refuse(*args, **kwargs):
        raise UnitTestIO(f"a unit test may not {what}: move it to tests/integration")
    return refuse


@pytest.fixture(autouse=True)
def no_io(monkeypatch):
    monkeypatch.setattr(socket.socket, "connect", _refuse("connect a socket"))
    monkeypatch.setattr(socket.socket, "connect_ex", _refuse("connect a socket"))
    monkeypatch.setattr(subprocess.Popen, "__init__", _refuse("start a process"))
    yield
