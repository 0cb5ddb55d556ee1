"""The city office takes its 特等奖/优秀奖 decision back (results.decide with award None): the
decision goes and the entry returns to the award its panel's aggregate earns — through the API,
the console's results page, the ranking and the release. Before, a taken-back decision stayed as
a "no award" decision and the entry lost even its grade."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from server.extensions import db
from server.models import AuditEvent, AwardDecision, Entry
from tests.helpers import auth_header, login

from .console import desk_login
from .test_publicity import scored

# entry index (tests/integration/test_publicity.TOTALS: 一等 二等 三等 - 一等 -), the awards the
# office sets one after the other (None = take back), the status of the last call, the award after.
CASES = [
    ("special_over_second", 1, ["special", None], 200, "second"),
    ("excellent_below_the_grades", 5, ["excellent", None], 200, None),
    ("changed_then_taken_back", 2, ["special", "excellent", None], 200, "third"),
    ("nothing_to_take_back", 0, [None], 409, "first"),
]


def ranking_row(client, admin, season_id: int, entry_id: int) -> dict:
    rows = client.get(f"/api/v1/admin/seasons/{season_id}/ranking", headers=admin).get_json()["detail"]["entries"]
    return next(r for r in rows if r["entry_id"] == entry_id)


@pytest.mark.parametrize("name,index,awards,status,after", CASES, ids=[c[0] for c in CASES])
def test_taking_a_decision_back_returns_the_entry_to_its_grade(client, ctx, name, index, awards, status, after):
    w = scored(days=None)
    entry_id = w.entries[index].id
    admin = auth_header(login(client, "city-admin")["token"])
    grade = ranking_row(client, admin, w.season.id, entry_id)["grade"]
    for award in awards:
        res = client.post(f"/api/v1/admin/entries/{entry_id}/award", json={"award": award, "reason": f"理由：{award}"},
                          headers=admin)
    body = res.get_json()
    assert res.status_code == status, body
    if status == 409:
        assert body["error"]["code"] == "no_decision" and "无需撤销" in body["error"]["message"]
    else:
        assert body["detail"] == {"entry_id": entry_id, "award": after, "decision": None, "reason": "理由：None"}
    assert after == grade                                   # back to what the panel's aggregate earns
    assert db.session.scalar(select(AwardDecision).where(AwardDecision.entry_id == entry_id)) is None
    row = ranking_row(client, admin, w.season.id, entry_id)
    assert (row["decision"], row["award"]) == (None, after)
    trail = db.session.scalars(select(AuditEvent.data).where(
        AuditEvent.object_id == entry_id, AuditEvent.action == "award_decided").order_by(AuditEvent.id)).all()
    assert len(trail) == (len(awards) if status == 200 else 0)
    if trail:
        assert trail[-1] == {"award": None, "before": awards[-2], "withdrawn": True}
    # The release gives it that award, not "no award".
    res = client.post(f"/api/v1/admin/seasons/{w.season.id}/release", headers=admin)
    assert res.status_code == 200, res.get_json()
    db.session.expire_all()
    assert db.session.get(Entry, entry_id).award == after


def test_a_decision_set_and_taken_back_on_the_console_results_page(client, ctx):
    w = scored(days=None)
    entry = w.entries[1]                                     # 二等奖 by its mean of 92
    token = desk_login(client, "city-admin")
    url = f"/console/results/{w.season.id}/award"
    page = client.get(f"/console/results?season={w.season.id}")
    assert '<option value="grade">撤销办公室决定（按评分等级）</option>' in page.text

    def award_cell(html: str) -> tuple[str, str]:
        row = html.split(f'data-entry="{entry.id}"')[1].split("</tr>")[0]
        decision = row.split('class="decision">')[1].split("</td>")[0]
        award = row.split('class="award"><strong>')[1].split("</strong>")[0]
        return decision, award

    res = client.post(url, data={"csrf_token": token, "entry_id": entry.id, "award": "special", "reason": "填补国内空白"})
    assert res.status_code == 302
    decision, award = award_cell(client.get(res.headers["Location"]).text)
    assert "特等奖" in decision and "填补国内空白" in decision and award == "特等奖"

    res = client.post(url, data={"csrf_token": token, "entry_id": entry.id, "award": "grade", "reason": "复议后撤销"})
    assert res.status_code == 302
    decision, award = award_cell(client.get(res.headers["Location"]).text)
    assert decision.strip() == "" and award == "二等奖"
    assert db.session.scalar(select(AwardDecision).where(AwardDecision.entry_id == entry.id)) is None

    # Again: nothing left to take back, said next to the form, nothing changes.
    res = client.post(url, data={"csrf_token": token, "entry_id": entry.id, "award": "grade", "reason": "再次撤销"})
    assert res.status_code == 409 and "没有办公室的奖项决定，无需撤销" in res.text
    assert award_cell(res.text) == ("", "二等奖")
