"""`Server-Timing: app;dur=…` on every response: how long the app itself took, in ms. Browser
devtools show it, and benchmarks set it beside what the client measured, so time spent queueing
(in the listen backlog, on a busy machine) is told apart from time spent working."""
from __future__ import annotations

import time

from flask import Flask, g


def register(app: Flask) -> None:
    @app.before_request
    def _start_clock():
        g.started = time.perf_counter()

    @app.after_request
    def _server_timing(response):
        started = g.get("started")
        if started is not None:
            response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
        return response
