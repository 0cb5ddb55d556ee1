"""The launcher's children, kept running: one that dies is started again after a pause that
doubles with each quick death (1 s, 2 s, 4 s … at most 30 s; back to 1 s once a child has run
for a while), and each death and restart is logged. Only stop_all() — Ctrl-C or SIGTERM in the
launcher — stops them for good."""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass

BACKOFF_FIRST = float(os.environ.get("LAUNCHER_BACKOFF_FIRST", "1"))
BACKOFF_MAX = 30.0
STABLE_AFTER = 30.0          # a child that ran this long before dying is restarted at once (after FIRST)


def say(text: str) -> None:
    print(f"[launcher {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


@dataclass
class Child:
    name: str
    cmd: tuple[str, ...]
    proc: subprocess.Popen | None = None
    started_at: float = 0.0
    quick_deaths: int = 0
    restart_at: float | None = None       # set while it waits to be started again
    restarts: int = 0

    def backoff(self) -> float:
        return min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** max(0, self.quick_deaths - 1))


class Supervisor:
    def __init__(self, cwd, env: dict):
        self.cwd, self.env = cwd, env
        self.children: list[Child] = []

    def spawn(self, name: str, *cmd: str) -> Child:
        child = Child(name, cmd)
        self.children.append(child)
        self._start(child)
        return child

    def _start(self, child: Child) -> None:
        # Each child leads its own process group, so stopping it also stops what it forked
        # (gunicorn's workers, the RQ work horse and scheduler) even if it has to be killed.
        child.proc = subprocess.Popen(child.cmd, cwd=self.cwd, env=self.env, start_new_session=True)
        child.started_at, child.restart_at = time.monotonic(), None
        say(f"已启动 {child.name} / started {child.name} (pid {child.proc.pid})")

    def check(self) -> None:
        """One round: note the children that died, start those whose pause is over."""
        now = time.monotonic()
        for child in self.children:
            if child.restart_at is None and child.proc.poll() is not None:
                ran = now - child.started_at
                child.quick_deaths = 1 if ran >= STABLE_AFTER else child.quick_deaths + 1
                _kill_group(child.proc.pid)          # what it forked must not hold its port or queue
                delay = child.backoff()
                child.restart_at = now + delay
                say(f"{child.name} 已退出（退出码 {child.proc.returncode}，运行了 {ran:.0f} 秒），{delay:g} 秒后重启"
                    f" / {child.name} exited (code {child.proc.returncode} after {ran:.0f} s); restarting in {delay:g} s")
            elif child.restart_at is not None and now >= child.restart_at:
                child.restarts += 1
                self._start(child)
                say(f"已重启 {child.name}（第 {child.restarts} 次）/ restarted {child.name} (restart #{child.restarts})")

    def run_forever(self, tick: float = 0.2) -> None:
        while True:
            self.check()
            time.sleep(tick)

    def stop_all(self, timeout: float = 15) -> None:
        running = [c.proc for c in self.children if c.proc is not None]
        for proc in running:           # the leaders first: each stops its own children in order
            if proc.poll() is None:
                proc.terminate()
        deadline = time.monotonic() + timeout
        for proc in running:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            _kill_group(proc.pid)      # whatever of the group is left


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
