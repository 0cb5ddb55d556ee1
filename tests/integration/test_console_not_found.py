"""A console page that finds nothing to show (a season id that is not a number, no season at all
yet) answers the console's own Chinese error page with its status, not the API's JSON body."""
from __future__ import annotations

import pytest

from server.wechat.sandbox import openid_for_code
from tests.factories import make_org, make_user

from .console import desk_login

CASES = [   # page → its status; the database holds an office but no season yet
    ("/console/results", 404),
    ("/console/results?season=abc", 404),
    ("/console/objections?season=1x", 404),
    ("/console/org-awards", 404),
    ("/console/org-awards?season=abc", 404),
    ("/console/winners", 404),
    ("/console/review/sheets", 404),
    ("/console/certificates?season=abc", 404),
]


@pytest.mark.parametrize("url,status", CASES)
def test_a_page_with_nothing_to_show_is_a_console_page(client, ctx, url, status):
    make_user("陈明", ("city_admin", make_org("晋城市", "city")), openid=openid_for_code("office"))
    desk_login(client, "office")
    res = client.get(url)
    assert res.status_code == status
    assert res.mimetype == "text/html" and 'id="error"' in res.text
    assert "找不到您要的内容" in res.text and '{"error"' not in res.text
