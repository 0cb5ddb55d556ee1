"""The lists the office sends on: the top N for the province (.xlsx with 附件3 data), the
winners' lists after the release, and a printable score sheet per entry."""
from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import select

from server.extensions import db
from server.models import Entry, Expert, PanelSeat
from server.services import panels, results, scoring
from tests.helpers import auth_header, login

from .scoring_world import build, sheet_for

TOTALS = [96, 92, 86, 70, 95, 60]      # entry index → every panel member's total


def scored_world():
    w = build(n_entries=6, n_experts=4)
    panels.assign(w.admin, w.season, 3)
    for entry_id, expert_id in db.session.execute(select(PanelSeat.entry_id, PanelSeat.expert_id)).all():
        n = [e.id for e in w.entries].index(entry_id)
        scoring.submit(db.session.get(Expert, expert_id).user, entry_id, sheet_for(TOTALS[n]), f"评语{n}")
    return w


def rows(response) -> list[list]:
    book = load_workbook(io.BytesIO(response.data))
    return [list(r) for r in book.active.iter_rows(values_only=True)]


def test_exports(client, ctx):
    w = scored_world()
    w.entries[1].patent_granted = False
    w.entries[1].patent_number = None
    w.entries[1].patent_announced_on = None
    db.session.commit()
    admin = auth_header(login(client, "city-admin")["token"])
    res = client.get(f"/api/v1/admin/seasons/{w.season.id}/exports/top.xlsx?n=3", headers=admin)
    assert res.status_code == 200 and res.mimetype.endswith("spreadsheetml.sheet")
    table = rows(res)
    assert table[0][:3] == ["排名", "项目名称", "项目类型"]
    assert [r[1] for r in table[1:]] == ["成果00", "成果04", "成果01"]
    assert table[1][5] == "申报人00" and table[1][12] == 96 and table[1][13] == "一等奖"
    assert "跑偏停机" in table[1][11]

    # Winners' lists only after the release.
    res = client.get(f"/api/v1/admin/seasons/{w.season.id}/exports/winners.xlsx?list=leaders", headers=admin)
    assert res.status_code == 409 and res.get_json()["error"]["code"] == "not_released"
    results.release(w.admin, w.season)
    leaders = rows(client.get(f"/api/v1/admin/seasons/{w.season.id}/exports/winners.xlsx?list=leaders",
                              headers=admin))
    assert [(r[0], r[1], r[2]) for r in leaders[1:]] == [
        ("一等奖", "成果00", "申报人00"), ("一等奖", "成果04", "申报人04"), ("二等奖", "成果01", "申报人01"),
        ("三等奖", "成果02", "申报人02")]
    no_patent = rows(client.get(f"/api/v1/admin/seasons/{w.season.id}/exports/winners.xlsx?list=no_patent",
                                headers=admin))
    assert [r[1] for r in no_patent[1:]] == ["成果01"]
    res = client.get(f"/api/v1/admin/seasons/{w.season.id}/exports/winners.xlsx?list=all", headers=admin)
    assert res.status_code == 400

    pdf = client.get(f"/api/v1/admin/entries/{w.entries[0].id}/score-sheet.pdf", headers=admin)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and len(pdf.data) > 2000

    expert = auth_header(login(client, "expert-2")["token"])
    for url in (f"/api/v1/admin/seasons/{w.season.id}/exports/top.xlsx",
                f"/api/v1/admin/entries/{w.entries[0].id}/score-sheet.pdf"):
        res = client.get(url, headers=expert)
        assert res.status_code == 403 and res.get_json()["error"]["code"] == "city_admin_only"
    assert db.session.get(Entry, w.entries[0].id).award == "first"
