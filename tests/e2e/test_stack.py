"""The real processes: gunicorn serving the API over HTTP, an RQ worker running jobs, and the
launcher behind the README's first command."""
from __future__ import annotations

import os
import signal
import time
import subprocess
import threading
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from rq import Queue
from rq.job import Job
from rq.registry import ScheduledJobRegistry

from server.extensions import db, redis_client
from server.models import AuthSession
from server.timeutil import utcnow

from .processes import Gunicorn, free_port, start, wait_http


@pytest.fixture(scope="module")
def web(app):
    server = Gunicorn()
    yield server
    server.stop()


def test_login_and_me_through_gunicorn(web, seeded):
    res = requests.post(f"{web.url}/api/v1/auth/login", json={"code": "demo-unit-admin"}, timeout=10)
    assert res.status_code == 200
    token = res.json()["token"]
    me = requests.get(f"{web.url}/api/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert me.json()["name"] == "王海峰"
    assert me.json()["roles"][0]["role"] == "unit_admin"
    bad = requests.post(f"{web.url}/api/v1/auth/login", data="{", timeout=10)
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_json"
    assert requests.get(f"{web.url}/healthz", timeout=10).json()["status"] == "ok"


def test_rq_worker_runs_the_purge_job_and_schedules_the_next(ctx, seeded):
    from server.services import auth
    token, session = auth.login("demo-participant")
    old = AuthSession(id="old-session", user_id=session.user_id, expires_at=utcnow() - timedelta(days=30))
    db.session.add(old)
    db.session.commit()

    q = Queue("low", connection=redis_client())
    job = q.enqueue("workers.housekeeping.purge_expired_sessions")
    worker = start("-m", "workers.worker", "--burst", "low")
    assert worker.wait(60) == 0
    job = Job.fetch(job.id, connection=redis_client())
    assert job.get_status() == "finished" and job.return_value() == 1
    db.session.expire_all()
    assert db.session.get(AuthSession, "old-session") is None
    assert db.session.get(AuthSession, session.id) is not None
    scheduled = ScheduledJobRegistry(queue=q).get_job_ids()
    assert any(j.startswith("housekeeping_purge_sessions-") for j in scheduled)

    # Running it again is harmless: nothing more to delete, still one scheduled slot.
    q.enqueue("workers.housekeeping.purge_expired_sessions")
    assert start("-m", "workers.worker", "--burst", "low").wait(60) == 0
    assert len([j for j in ScheduledJobRegistry(queue=q).get_job_ids()
                if j.startswith("housekeeping_purge_sessions-")]) == 1


def test_launcher_starts_everything_on_embedded_defaults_and_stops_on_ctrl_c(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "WECHAT_SANDBOX_URL", "SECRET_KEY", "APP_ENV")}
    port, sandbox_port = free_port(), free_port()
    env.update(INSTANCE_DIR=str(tmp_path / "instance"), PORT=str(port), SANDBOX_PORT=str(sandbox_port),
               WEB_WORKERS="1")
    proc = start("-m", "server.devstack", env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    # The launcher prints its banner after its own health check passes; ours can pass first, so
    # wait for the banner itself before Ctrl-C (a loaded machine once interrupted it before).
    lines: list[str] = []
    banner = threading.Event()

    def read() -> None:
        for line in proc.stdout:
            lines.append(line)
            if "按 Ctrl-C 全部停止" in line:
                banner.set()
    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        base = f"http://127.0.0.1:{port}"
        assert banner.wait(120), "".join(lines)
        health = wait_http(f"{base}/healthz", timeout=90)
        deadline = time.time() + 60              # the worker registers a moment later
        while not health.json()["queue"].get("workers") and time.time() < deadline:
            time.sleep(0.5)
            health = wait_http(f"{base}/healthz")
        assert health.json()["status"] == "ok" and health.json()["queue"]["workers"] == 1
        login = requests.post(f"{base}/api/v1/auth/login", json={"code": "demo-estation"}, timeout=10)
        assert login.json()["user"]["roles"][0]["role"] == "estation_agent"
        season = requests.get(f"{base}/api/v1/seasons/current", timeout=10).json()
        assert season["submission_open"] is True and season["phase"] == "submit"
        assert (tmp_path / "instance" / "app.db").exists()
        assert (tmp_path / "instance" / "secret_key").exists()
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(60)
        reader.join(30)
    output = "".join(lines)
    assert proc.returncode == 0, output
    assert "五小竞赛服务已启动" in output and "demo-participant" in output
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{sandbox_port}/__sandbox__/calls", timeout=2)
    # Nothing it started is left behind: not a gunicorn worker, an RQ work horse or scheduler.
    assert _processes_with_env(f"INSTANCE_DIR={tmp_path / 'instance'}") == []


def _processes_with_env(entry: str) -> list[str]:
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if entry.encode() in environ.read_bytes().split(b"\0"):
                found.append((environ.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode())
        except OSError:          # gone meanwhile, or not ours to read
            continue
    return found


def test_submission_notification_through_a_real_worker(web, seeded, wx):
    from server.models import Delivery, OutboxEvent
    token = requests.post(f"{web.url}/api/v1/auth/login", json={"code": "demo-participant"}, timeout=10).json()["token"]
    h = {"Authorization": f"Bearer {token}"}
    requests.post(f"{web.url}/api/v1/subscriptions", json={"template_ids": ["sbx-tmpl-entry-submitted"]},
                  headers=h, timeout=10)
    from ..integration.chat import ANSWERS
    say = lambda text: requests.post(f"{web.url}/api/v1/dialogue/messages", json={"text": text},  # noqa: E731
                                     headers=h, timeout=30).json()
    say("申报")
    for _, text in ANSWERS:
        say(text)
    for text in ("跳过", "完成", "我本人", "李华"):
        say(text)
    assert say("提交")["state"]["done"] is True
    assert start("-m", "workers.worker", "--burst", "high", "default").wait(90) == 0
    db.session.expire_all()
    assert db.session.scalar(db.select(OutboxEvent.relayed_at)) is not None
    assert db.session.scalar(db.select(Delivery.status)) == "sent"
    assert len(wx.calls("subscribe_send")) == 1
