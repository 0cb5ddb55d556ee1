"""The entry's history in /api/v1/review/entries/{id} as its own submitter reads it: no expert's
sheet (who scored, the points, the comment), no panel seats, no award decided before the result
is final, no 'scored' status — the same things the rest of the API hides from submitters."""
from __future__ import annotations

import pytest

from tests.helpers import auth_header, login

from .test_publicity import scored

HIDDEN_FROM_SUBMITTER = ["score_submitted", "score_revised", "panel_seat_added", "panel_seat_removed",
                         "award_decided", '"scored"', "专家", '"total"']


@pytest.mark.parametrize("needle", HIDDEN_FROM_SUBMITTER)
def test_the_submitter_reads_no_scoring_in_the_history(client, ctx, needle):
    w = scored(days=None)
    from server.services import results
    results.decide(w.admin, w.entries[0].id, "excellent", "示范作用突出")
    res = client.get(f"/api/v1/review/entries/{w.entries[0].id}",
                     headers=auth_header(login(client, "filer-0")["token"]))
    assert res.status_code == 200 and res.json["entry"]["id"] == w.entries[0].id
    assert needle not in res.get_data(as_text=True)


def test_the_city_office_still_reads_the_sheets(client, ctx):
    w = scored(days=None)
    res = client.get(f"/api/v1/review/entries/{w.entries[0].id}",
                     headers=auth_header(login(client, "city-admin")["token"]))
    assert "score_submitted" in res.get_data(as_text=True)
