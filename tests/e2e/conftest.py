"""Fixtures the browser tests share: the app served by gunicorn for a module (`web`), and a
desktop-sized Chromium page in Chinese (`page`; a file that wants another size defines its own)."""
from __future__ import annotations

import pytest

from .browser import browser_page, served


@pytest.fixture(scope="module")
def web(app):
    with served() as server:
        yield server


@pytest.fixture()
def page():
    with browser_page(viewport={"width": 1280, "height": 900}, locale="zh-CN") as p:
        yield p
