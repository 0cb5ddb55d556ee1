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
