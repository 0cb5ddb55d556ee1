"""Helpers for console tests: log in at the desk (sandbox demo users), read the CSRF token."""
from __future__ import annotations

import re

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def desk_login(client, code: str) -> str:
    """Log in as a demo user through the login page's sandbox list; return a fresh CSRF token."""
    page = client.get("/console/login")
    assert page.status_code == 200
    res = client.post("/console/login/demo", data={"code": code, "csrf_token": csrf_of(page.text),
                                                    "next": "/console/"})
    assert res.status_code == 302 and res.headers["Location"] == "/console/", res.text
    home = client.get("/console/")
    assert home.status_code == 200
    return csrf_of(home.text)
