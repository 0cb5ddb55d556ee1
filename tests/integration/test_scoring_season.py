"""A whole season of scoring in one test: 30 accepted entries, 7 experts with two conflicts
(expert 0 works in 城区: own county; expert 1 declared one on entry 4), automatic panels of 3,
scores from a table whose mean, median, trimmed mean, spread, flags and grades were computed by
hand; expert 6 scores on the phone through the dialogue; the office decides 特等奖/优秀奖 with
reasons; release happens once and notifies each person once."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from server.extensions import db
from server.forms.rubric import rubric_for
from server.models import AuditEvent, Delivery, Entry, Expert, OutboxEvent, PanelSeat, ResultRelease, Score
from server.services import notify
from tests.helpers import auth_header, login

from .chat import Chat
from .scoring_world import build, sheet_for

# entry index: (totals given by the panel, sorted by expert id), then by hand:
# mean (2 places), median, trimmed mean (3 experts: the middle one), spread, flagged (> 10),
# mean rounded half-up, grade from 一等 95 / 二等 90 / 三等 85.
TABLE = {
    0: ([95, 95, 96], 95.33, 95, 95, 1, False, 95, "first"),
    1: ([94, 95, 95], 94.67, 95, 95, 1, False, 95, "first"),     # 94.67 → 95: 一等 on the rounded figure
    2: ([94, 94, 95], 94.33, 94, 94, 1, False, 94, "second"),
    3: ([90, 95, 99], 94.67, 95, 95, 9, False, 95, "first"),
    4: ([80, 92, 97], 89.67, 92, 92, 17, True, 90, "second"),
    5: ([89, 90, 90], 89.67, 90, 90, 1, False, 90, "second"),
    6: ([84, 85, 86], 85.0, 85, 85, 2, False, 85, "third"),
    7: ([84, 84, 85], 84.33, 84, 84, 1, False, 84, None),
    8: ([100, 100, 100], 100.0, 100, 100, 0, False, 100, "first"),
    9: ([60, 70, 71], 67.0, 70, 70, 11, True, 67, None),
    10: ([80, 90, 90], 86.67, 90, 90, 10, False, 87, "third"),   # a spread of exactly the gap: not flagged
    11: ([75, 86, 99], 86.67, 86, 86, 24, True, 87, "third"),
}
REST = ([70, 72, 75], 72.33, 72, 72, 5, False, 72, None)


def row(i):
    return TABLE.get(i, REST)


def phone_score(chat: Chat, sheet: dict, comment: str) -> None:
    """Answer one entry's eight rubric steps (band by its number in the options) and the comment."""
    rubric = rubric_for(None)
    for criterion in ("innovation", "technology", "benefit", "effect"):
        assert chat.step == f"{criterion}.band", chat.last
        codes = [b.code for b in rubric.bands_for(criterion, "economic")]
        assert len(chat.last["replies"][-1]["options"]) == len(codes)
        chat.say(str(codes.index(sheet[criterion]["band"]) + 1))
        assert chat.step == f"{criterion}.points", chat.last
        chat.say(f"{sheet[criterion]['points']}分")
    assert chat.step == "comment"
    chat.say(comment)


def test_a_whole_season(client, ctx):
    w = build()
    admin = auth_header(login(client, "city-admin")["token"])
    ids = [e.id for e in w.entries]
    expert_ids = [e.id for e in w.experts]
    chengqu = {e.id for e in w.entries if e.unit_id in (w.units[0].id, w.units[1].id)}

    # Panels of 3, automatically: none conflicted, loads 90/7 → 13 or 12.
    res = client.post(f"/api/v1/admin/seasons/{w.season.id}/panels", json={"k": 3}, headers=admin)
    assert res.status_code == 200 and res.get_json()["detail"] == {"seats": 90, "short": [], "reopened": []}
    seats = db.session.execute(select(PanelSeat.entry_id, PanelSeat.expert_id)).all()
    panel = {i: sorted(x for e, x in seats if e == i) for i in ids}
    assert all(len(p) == 3 for p in panel.values())
    assert not any(expert_ids[0] in panel[i] for i in chengqu)
    assert expert_ids[1] not in panel[ids[4]]
    loads = Counter(x for _, x in seats)
    assert max(loads.values()) - min(loads.values()) <= 1 and sum(loads.values()) == 90
    shown = client.get(f"/api/v1/admin/seasons/{w.season.id}/loads", headers=admin).get_json()["detail"]["experts"]
    assert {e["expert_id"]: e["load"] for e in shown} == dict(loads)

    # A decision before the panel has scored is refused; so is the release.
    res = client.post(f"/api/v1/admin/entries/{ids[8]}/award", json={"award": "special", "reason": "填补国内空白"},
                      headers=admin)
    assert res.status_code == 409 and res.get_json()["error"]["code"] == "not_scored"
    res = client.post(f"/api/v1/admin/seasons/{w.season.id}/release", headers=admin)
    assert res.status_code == 409 and res.get_json()["error"]["code"] == "release_incomplete"

    # Experts 0–5 score through the API, expert 6 on the phone.
    phone = expert_ids[6]
    tokens = {x: auth_header(login(client, f"expert-{j}")["token"]) for j, x in enumerate(expert_ids)}
    for x in expert_ids[:6]:
        listed = client.get("/api/v1/expert/assignments", headers=tokens[x]).get_json()["entries"]
        assert sorted(e["id"] for e in listed) == sorted(i for i in ids if x in panel[i])
        assert all(e["benefit"]["suggested_band"] == "economic_50" and e["my_score"] is None for e in listed)
    for n, i in enumerate(ids):
        totals = row(n)[0]
        for x, total in zip(panel[i], totals):
            if x == phone:
                continue
            res = client.put(f"/api/v1/entries/{i}/score", json={"criteria": sheet_for(total), "comment": "意见"},
                             headers=tokens[x])
            assert res.status_code == 200 and res.get_json()["total"] == total, res.get_json()
    mine = [(n, i) for n, i in enumerate(ids) if phone in panel[i]]
    assert mine
    # Others' sheets stay hidden from the phone expert until his own is in.
    res = client.get(f"/api/v1/entries/{mine[0][1]}/scores", headers=tokens[phone])
    assert res.status_code == 403 and res.get_json()["error"]["code"] == "own_score_first"

    chat = Chat(client, "expert-6")
    chat.say("评分")
    assert chat.last["state"]["flow"] == "expert_scoring"
    for n, i in mine:
        assert f"成果{n:02d}" in chat.text()
        total = row(n)[0][panel[i].index(phone)]
        phone_score(chat, sheet_for(total), "手机评分")
        assert f"合计 {total} 分" in chat.text()
    assert chat.step == "confirm"
    chat.say("提交")
    assert chat.last["state"]["done"] is True
    phone_scores = db.session.execute(select(Score.entry_id, Score.total, Score.comment)
                                      .where(Score.expert_id == phone)).all()
    assert sorted(phone_scores) == sorted((i, row(n)[0][panel[i].index(phone)], "手机评分") for n, i in mine)
    res = client.get(f"/api/v1/entries/{mine[0][1]}/scores", headers=tokens[phone]).get_json()
    assert res["mine"]["comment"] == "手机评分" and len(res["others"]) == 2
    assert db.session.scalar(select(func.count()).select_from(Entry).where(Entry.status == "scored")) == 30

    # The ranking: figures of the table, ranks overall (ties share) and per category.
    ranking = client.get(f"/api/v1/admin/seasons/{w.season.id}/ranking", headers=admin).get_json()["detail"]
    by_id = {r["entry_id"]: r for r in ranking["entries"]}
    for n, i in enumerate(ids):
        totals, mean, median, trimmed, spread, flagged, rounded, grade = row(n)
        r = by_id[i]
        assert (r["totals"], r["mean"], r["median"], r["trimmed_mean"], r["spread"], r["flagged"], r["rounded"],
                r["grade"]) == (totals, mean, median, trimmed, spread, flagged, rounded, grade), n
    assert [by_id[ids[n]]["rank"] for n in (8, 0, 1, 3, 2, 4, 5, 10, 11, 6, 7, 12, 9)] == [
        1, 2, 3, 3, 5, 6, 6, 8, 8, 10, 11, 12, 30]
    assert [by_id[ids[n]]["category_rank"] for n in (0, 6, 12, 18, 24)] == [1, 2, 3, 3, 3]   # 产品类

    # The season's method changes the aggregate, and the grade with it.
    w.season.settings = {"aggregation": "median"}
    db.session.commit()
    median = {r["entry_id"]: r for r in client.get(f"/api/v1/admin/seasons/{w.season.id}/ranking",
                                                   headers=admin).get_json()["detail"]["entries"]}
    assert (median[ids[4]]["aggregate"], median[ids[4]]["grade"]) == (92, "second")
    assert (median[ids[9]]["aggregate"], median[ids[10]]["grade"], median[ids[2]]["grade"]) == (70, "second", "second")
    w.season.settings = {}
    db.session.commit()

    # The office's decisions: 特等奖 for entry 8, 优秀奖 for entry 7, each with a reason.
    for n, award in ((8, "special"), (7, "excellent")):
        res = client.post(f"/api/v1/admin/entries/{ids[n]}/award", json={"award": award, "reason": "委员会决定"},
                          headers=admin)
        assert res.status_code == 200, res.get_json()

    # Nothing is visible to the filer before the release.
    filer = auth_header(login(client, "filer-0")["token"])
    assert client.get(f"/api/v1/entries/{ids[0]}", headers=filer).get_json()["award"] is None

    res = client.post(f"/api/v1/admin/seasons/{w.season.id}/release", headers=admin)
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["detail"]["awards"] == {"special": 1, "first": 3, "second": 3, "third": 3,
                                                  "excellent": 1, "none": 19}
    again = client.post(f"/api/v1/admin/seasons/{w.season.id}/release", headers=admin)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_released"
    db.session.expire_all()
    awards = {e.id: (e.status, e.award) for e in db.session.scalars(select(Entry))}
    assert awards[ids[8]] == ("decided", "special") and awards[ids[7]] == ("decided", "excellent")
    assert awards[ids[1]] == ("decided", "first") and awards[ids[9]] == ("decided", None)
    assert all(s == "decided" for s, _ in awards.values())
    assert client.get(f"/api/v1/entries/{ids[0]}", headers=filer).get_json()["award"] == "first"
    assert db.session.scalar(select(func.count()).select_from(ResultRelease)) == 1
    decided = db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "entry_decided"))
    assert decided == 30

    # Revision is over.
    res = client.put(f"/api/v1/entries/{ids[0]}/score", json={"criteria": sheet_for(90)}, headers=tokens[panel[ids[0]][0]])
    assert res.status_code == 409 and res.get_json()["error"]["code"] == "released"

    # Notifications: one per person, however often the jobs run; one results_released event.
    events = db.session.scalars(select(OutboxEvent).order_by(OutboxEvent.id)).all()
    assert Counter(e.kind for e in events) == {"entry_decided": 30, "results_released": 1}
    assert [e.payload for e in events if e.kind == "results_released"] == [{"season_id": w.season.id}]
    for _ in range(2):
        for event_id in [e.id for e in events]:
            notify.handle_event(event_id)
    per_user = Counter(d.user_id for d in db.session.scalars(select(Delivery)))
    filers = {e.created_by_id for e in db.session.scalars(select(Entry))}
    assert per_user == {u: 1 for u in filers}
    assert {d.template for d in db.session.scalars(select(Delivery))} == {"result_released"}
    assert db.session.scalar(select(func.count()).select_from(Expert)) == 7
