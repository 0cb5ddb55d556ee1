"""Test helpers: the sandbox's control surface, logins."""
from __future__ import annotations

import requests


class Sandbox:
    def __init__(self, url: str):
        self.url = url

    def fault(self, endpoint: str, errcode: int | None = None, *, times: int | None = 1,
              delay: float | None = None, http_status: int | None = None) -> None:
        requests.post(f"{self.url}/__sandbox__/faults", json={
            "endpoint": endpoint, "errcode": errcode, "times": times, "delay": delay,
            "http_status": http_status}, timeout=5).raise_for_status()

    def calls(self, endpoint: str) -> list[dict]:
        return requests.get(f"{self.url}/__sandbox__/calls", params={"endpoint": endpoint},
                            timeout=5).json()["calls"]

    def reset(self) -> None:
        requests.post(f"{self.url}/__sandbox__/reset", timeout=5).raise_for_status()

    def expire_tokens(self, revoke: bool = False) -> None:
        requests.post(f"{self.url}/__sandbox__/expire_tokens", json={"revoke": revoke},
                      timeout=5).raise_for_status()

    def put_media(self, content: bytes, content_type: str = "image/jpeg") -> str:
        return requests.post(f"{self.url}/__sandbox__/media", data=content,
                             headers={"Content-Type": content_type}, timeout=5).json()["media_id"]


def login(client, code: str) -> dict:
    res = client.post("/api/v1/auth/login", json={"code": code})
    assert res.status_code == 200, res.get_json()
    return res.get_json()


def auth_header(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def kill_database_connections() -> None:
    """PostgreSQL: end every other connection to the test database (an outage as the pools see it)."""
    import psycopg

    from server.extensions import db
    url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE datname = current_database() AND pid <> pg_backend_pid()")


def fresh_pools() -> None:
    """After kill_database_connections: every pool of this process starts anew — the app's and
    the RQ jobs' own app (workers/app_context keeps one per process), whose dead idle
    connections a later test's job would otherwise meet (AdminShutdown)."""
    from server.extensions import db
    from workers import app_context
    db.engine.dispose()
    if app_context._app is not None:
        with app_context._app.app_context():
            db.engine.dispose()
