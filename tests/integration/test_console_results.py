"""The city office's results pages in the console: the ranking (per category and overall, flags,
grades), decisions with reasons, what blocks the release, the release with its confirmation,
the publicity period with objections answered and the finalisation, and the downloads. Each
refusal is shown on the page and changes nothing."""
from __future__ import annotations

import io
import re

from openpyxl import load_workbook
from sqlalchemy import func, select

from server.extensions import db
from server.models import AwardDecision, Entry, Objection, ResultRelease, Score, User
from server.services import publicity

from .console import desk_login
from .test_publicity import later, scored


def test_ranking_decisions_and_release(client, ctx):
    w = scored(days=None)
    # One sheet taken back: the release is blocked by that entry, and the page says so.
    missing = db.session.scalars(select(Score).where(Score.entry_id == w.entries[2].id)).first()
    db.session.delete(missing)
    db.session.commit()
    token = desk_login(client, "city-admin")
    page = client.get(f"/console/results?season={w.season.id}")
    assert page.status_code == 200
    assert 'href="/console/results"' in page.text and 'href="/console/objections"' in page.text
    assert page.text.count("data-entry=") == 6 and "成果00" in page.text and "一等奖" in page.text
    assert page.text.count('class="flagged"') == 1 and "分歧较大" in page.text
    assert 'id="blockers"' in page.text and "成果02" in page.text.split('id="blockers"')[1].split("</ul>")[0]
    assert 'id="release-form"' not in page.text
    assert client.get(f"/console/results?season={w.season.id}&saved=nonsense").status_code == 200
    assert client.get("/console/results?season=abc").status_code == 404
    only = client.get(f"/console/results?season={w.season.id}&category=product")
    assert only.text.count("data-entry=") == 1

    # A decision without a reason is refused on the page; with one it is saved.
    url = f"/console/results/{w.season.id}/award"
    res = client.post(url, data={"csrf_token": token, "entry_id": w.entries[5].id, "award": "excellent", "reason": " "})
    assert res.status_code == 400 and "请写明作出这一决定的理由" in res.text
    assert db.session.scalar(select(func.count()).select_from(AwardDecision)) == 0
    res = client.post(url, data={"csrf_token": token, "entry_id": w.entries[5].id, "award": "excellent",
                                 "reason": "在节能方面有突出示范作用"})
    assert res.status_code == 302
    assert db.session.scalar(select(AwardDecision.award)) == "excellent"

    # The missing sheet comes back (as a factory would); the release wants its confirmation.
    db.session.add(Score(season_id=missing.season_id, entry_id=missing.entry_id, expert_id=missing.expert_id,
                         criteria=missing.criteria, total=missing.total, revision=1))
    db.session.commit()
    page = client.get(f"/console/results?season={w.season.id}")
    assert 'id="release-form"' in page.text and "6 项已评成果" in page.text
    res = client.post(f"/console/results/{w.season.id}/release", data={"csrf_token": token})
    assert res.status_code == 400 and "请先勾选确认框" in res.text
    assert db.session.scalar(select(func.count()).select_from(ResultRelease)) == 0
    res = client.post(f"/console/results/{w.season.id}/release", data={"csrf_token": token, "confirm": "yes"})
    assert res.status_code == 302
    db.session.expire_all()
    assert {e.status for e in db.session.scalars(select(Entry))} == {"decided"}
    assert db.session.get(Entry, w.entries[5].id).award == "excellent"
    page = client.get(f"/console/results?season={w.season.id}")
    assert 'id="release-form"' not in page.text and "结果已于" in page.text

    # Downloads.
    top = client.get(f"/console/results/{w.season.id}/top.xlsx?n=3")
    assert top.status_code == 200 and top.mimetype.endswith("spreadsheetml.sheet")
    rows = list(load_workbook(io.BytesIO(top.data)).active.iter_rows(values_only=True))
    assert [r[1] for r in rows[1:]] == ["成果00", "成果04", "成果01"]
    leaders = client.get(f"/console/results/{w.season.id}/winners.xlsx?list=leaders")
    assert leaders.status_code == 200
    bad = client.get(f"/console/results/{w.season.id}/top.xlsx?n=0")
    assert bad.status_code == 400 and "1–1000" in bad.text
    sheet = client.get(f"/console/results/entries/{w.entries[0].id}/sheet.pdf")
    assert sheet.status_code in (200, 503)


def test_release_twice_is_refused_on_the_page(client, ctx):
    w = scored(days=None)
    token = desk_login(client, "city-admin")
    assert client.post(f"/console/results/{w.season.id}/release", data={"csrf_token": token, "confirm": "yes"}).status_code == 302
    res = client.post(f"/console/results/{w.season.id}/release", data={"csrf_token": token, "confirm": "yes"})
    assert res.status_code == 409 and "不能再次发布" in res.text


def test_other_roles_do_not_see_the_pages(client, ctx):
    w = scored(days=None)
    desk_login(client, "county-admin")
    home = client.get("/console/")
    assert 'href="/console/results"' not in home.text and 'href="/console/objections"' not in home.text
    assert client.get(f"/console/results?season={w.season.id}").status_code == 403
    assert client.get(f"/console/objections?season={w.season.id}").status_code == 403


def test_publicity_and_objections(client, ctx, monkeypatch):
    w = scored(days=None)
    token = desk_login(client, "city-admin")
    res = client.post(f"/console/results/{w.season.id}/publicity", data={"csrf_token": token, "days": "99"})
    assert res.status_code == 400 and "0–30" in res.text
    assert client.post(f"/console/results/{w.season.id}/publicity", data={"csrf_token": token, "days": "5"}).status_code == 302
    page = client.get(f"/console/results?season={w.season.id}")
    assert "5 天公示期" in page.text
    assert client.post(f"/console/results/{w.season.id}/release", data={"csrf_token": token, "confirm": "yes"}).status_code == 302
    filer = db.session.get(User, w.entries[3].created_by_id)
    objection = publicity.file(filer, w.season, w.entries[0].id, "专利号与公告不一致")

    page = client.get(f"/console/objections?season={w.season.id}")
    assert page.status_code == 200 and "专利号与公告不一致" in page.text and "申报人03" in page.text
    assert f'/seasons/{w.season.id}/publicity' in page.text
    url = f"/console/objections/{objection.id}/answer"
    res = client.post(url, data={"csrf_token": token, "season_id": w.season.id, "answer": "", "award": ""})
    assert res.status_code == 400 and "请填写答复内容" in res.text
    res = client.post(url, data={"csrf_token": token, "season_id": w.season.id,
                                 "answer": "经核实专利信息无误，维持原拟奖项", "award": ""})
    assert res.status_code == 302
    db.session.expire_all()
    assert db.session.get(Objection, objection.id).answer == "经核实专利信息无误，维持原拟奖项"

    res = client.post(f"/console/objections/{w.season.id}/finalise", data={"csrf_token": token, "confirm": "yes"})
    assert res.status_code == 409 and "结束后才能确定结果" in res.text
    later(monkeypatch)
    res = client.post(f"/console/objections/{w.season.id}/finalise", data={"csrf_token": token, "confirm": "yes"})
    assert res.status_code == 302
    db.session.expire_all()
    assert {e.status for e in db.session.scalars(select(Entry))} == {"decided"}
    page = client.get(f"/console/objections?season={w.season.id}")
    assert "结果已于" in page.text and re.search(r"已于 \d{4}-\d\d-\d\d \d\d:\d\d 答复", page.text)
