"""The launcher keeps its children running: a killed RQ worker is restarted (logged, after a
backoff) while the web server goes on answering; SIGTERM still stops everything."""
from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import threading

import requests

from .processes import free_port, start, wait_http



class Lines:
    """The launcher's output, line by line, for waiting on what it says (no polling)."""

    def __init__(self, proc: subprocess.Popen):
        self.seen: list[str] = []
        self._q: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, args=(proc,), daemon=True).start()

    def _read(self, proc):
        for line in proc.stdout:
            self._q.put(line)
        self._q.put(None)

    def wait_for(self, pattern: str, timeout: float = 90) -> re.Match:
        while True:
            line = self._q.get(timeout=timeout)
            assert line is not None, "the launcher ended:\n" + "".join(self.seen)
            self.seen.append(line)
            if (match := re.search(pattern, line)):
                return match


def test_a_killed_worker_is_restarted_while_the_web_server_keeps_answering(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "WECHAT_SANDBOX_URL", "SECRET_KEY", "APP_ENV")}
    port, sandbox_port = free_port(), free_port()
    env.update(INSTANCE_DIR=str(tmp_path / "instance"), PORT=str(port), SANDBOX_PORT=str(sandbox_port),
               WEB_WORKERS="1", PYTHONUNBUFFERED="1")
    proc = start("-m", "server.devstack", env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = Lines(proc)
    health = f"http://127.0.0.1:{port}/healthz"
    answers: list[int] = []
    done = threading.Event()

    def keep_asking():
        with requests.Session() as s:
            while not done.is_set():
                try:
                    answers.append(s.get(health, timeout=10).status_code)
                except requests.RequestException as exc:
                    answers.append(repr(exc))
    try:
        worker_pid = int(lines.wait_for(r"started worker \(pid (\d+)\)").group(1))
        lines.wait_for("五小竞赛服务已启动")                 # the web server answered /healthz
        assert wait_http(health).status_code == 200
        asker = threading.Thread(target=keep_asking)
        asker.start()
        os.kill(worker_pid, signal.SIGKILL)
        exited = lines.wait_for(r"worker exited \(code (-?\d+) .*restarting in ([\d.]+) s")
        assert exited.group(1) == "-9"
        new_pid = int(lines.wait_for(r"started worker \(pid (\d+)\)").group(1))
        lines.wait_for(r"restarted worker \(restart #1\)")
        assert new_pid != worker_pid
        os.kill(new_pid, 0)                                    # alive
        assert proc.poll() is None                             # the launcher carries on
        done.set()
        asker.join(30)
        assert answers and all(a == 200 for a in answers), answers
    finally:
        done.set()
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, "".join(lines.seen) + out
    for pid in (worker_pid, new_pid):
        try:
            os.kill(pid, 0)
            raise AssertionError(f"pid {pid} is still running after SIGTERM")
        except ProcessLookupError:
            pass
