"""An id typed into a console form (not the URL) larger than any database key is answered like
any unknown id — a Chinese 404/400 page — never a 500 from the database driver's overflow."""
from __future__ import annotations

import pytest

from .console import desk_login
from .test_publicity import scored

HUGE = "9" * 20

CASES = [   # (url, form fields): one id field in each form holds a number too large for the column
    ("/console/objections/1/answer", {"season_id": HUGE, "answer": "答复"}),
    ("/console/panels", {"season": HUGE, "k": "3"}),
    ("/console/experts", {"user_id": HUGE}),
    ("/console/experts", {"user_id": "1", "unit_id": HUGE}),
    ("/console/experts/{expert}/conflicts", {"entry_id": HUGE, "reason": "同单位"}),
    ("/console/experts/{expert}/conflicts", {"org_id": HUGE, "reason": "同单位"}),
]


@pytest.mark.parametrize("url,form", CASES)
def test_a_huge_id_in_a_form_is_not_a_500(client, ctx, url, form):
    w = scored(days=None)
    token = desk_login(client, "city-admin")
    res = client.post(url.format(expert=w.experts[0].id), data={"csrf_token": token, **form})
    assert res.status_code in (400, 404), (res.status_code, res.text[:300])
    assert "<html" in res.text.lower() and "Traceback" not in res.text
