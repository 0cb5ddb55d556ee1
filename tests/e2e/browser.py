"""Headless Chromium for the page tests: Debian's `chromium` driven by Playwright (no browser
download), a gunicorn serving the app, and where screenshots are kept."""
from __future__ import annotations

import shutil
from contextlib import contextmanager

import pytest

from .processes import ROOT, Gunicorn

CHROMIUM = shutil.which("chromium")
ARTIFACTS = ROOT / "test-artifacts"
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@contextmanager
def served(workers: int = 2):
    server = Gunicorn(workers=workers)
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def browser_page(**context_options):
    """A fresh page in a fresh Chromium; `context_options` go to browser.new_context."""
    from playwright.sync_api import sync_playwright
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser.new_context(**context_options).new_page()
        finally:
            browser.close()
