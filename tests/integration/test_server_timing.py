"""Every response says how long the app took (Server-Timing), errors included."""
from __future__ import annotations

import re


def test_server_timing_header(client, seeded):
    for res in (client.get("/healthz"), client.get("/api/v1/no-such-thing"),
                client.post("/api/v1/auth/login", json={"code": "bad-code"})):
        assert re.fullmatch(r"app;dur=\d+\.\d", res.headers["Server-Timing"]), res.headers
