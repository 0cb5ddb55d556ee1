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
    def __init__(self, workers: int = 2, app: str = "wsgi:app"):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = start("-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{self.port}",
                          "--log-level", "warning", app)
        try:
            wait_http(self.url + "/healthz")
        except BaseException:
            stop(self.proc)           # a fixture that fails in setup gets no teardown
            raise

    def stop(self) -> None:
        stop(self.proc)
