"""One season through the review chain over HTTP (issue 15): entries from two counties, an
industry union and a unit directly under the city climb unit → county → city; one is returned
with named fields, edited in the dialogue and resubmitted; one is refused as "not ours"; a
quota is hit; a stale batch item fails alone; the city accepts; each level's 附件2 sheet
matches its entries."""
from __future__ import annotations

import io

from docx import Document
from openpyxl import load_workbook
from rq import SimpleWorker
from sqlalchemy import select

from server.extensions import db, queue
from server.forms.catalogue import label
from server.models import Entry, OutboxEvent
from server.services.notify import HANDLERS
from server.services.review import sheet
from server.wechat.sandbox import openid_for_code

from ..factories import make_entry, make_review_world
from ..helpers import auth_header, login
from .chat import Chat

HEADER = ["序号", "所属行业", "项目类型", "项目名称", "项目带头人", "性别", "是否获得专利（专利号及授权公告日）", "单位名称"]


def _world():
    world = make_review_world()
    for key, user in world.users.items():
        user.openid = openid_for_code(f"rv-{key}")
    world.season.settings = {"review.quotas": {"unit": {"total": 2}}}
    db.session.commit()
    return world


def _draft(world, who: str, title: str) -> int:
    entry = make_entry(world.users[who], status="draft", complete=True, season=world.season, title=title)
    db.session.commit()
    return entry.id


def _act(client, h, action, ids, **extra):
    res = client.post("/api/v1/review/actions", json={"action": action, "entry_ids": ids, **extra}, headers=h)
    assert res.status_code == 200, res.get_json()
    return res.get_json()["results"]


def _rows(content: bytes) -> tuple[list, list[list]]:
    ws = load_workbook(io.BytesIO(content)).active
    assert ws["A1"].value == "附件2" and ws["A2"].value == "“五小”竞赛优秀成果推荐表"
    header = [c.value for c in ws[4]]
    rows = []
    for r in ws.iter_rows(min_row=5, values_only=True):
        if r[0] is None:
            break
        rows.append(list(r))
    return [ws["A3"].value, header], rows


def test_a_season_through_the_chain(client, ctx):
    world = _world()
    h = {k: auth_header(login(client, f"rv-{k}")["token"]) for k in world.users}
    a1, a2 = _draft(world, "p_cq", "皮带输送机自动纠偏装置"), _draft(world, "p_cq", "液压支架快速检修平台")
    a3, a4 = _draft(world, "p_cq", "井下照明节能改造"), _draft(world, "p_cq", "刮板机链条张紧器")
    b1, c1 = _draft(world, "p_zz", "变压器油色谱在线监测"), _draft(world, "p_iu", "锅炉燃烧优化控制")
    d1 = _draft(world, "p_direct", "医疗废水处理改进")
    for who, ids in (("p_cq", (a1, a2, a3, a4)), ("p_zz", (b1,)), ("p_iu", (c1,)), ("p_direct", (d1,))):
        for entry_id in ids:
            res = client.post(f"/api/v1/entries/{entry_id}/submit", headers=h[who])
            assert res.status_code == 200 and res.get_json()["status"] == "submitted", res.get_json()

    # The unit: confirms, refuses one as not ours, recommends two, and hits its quota of 2.
    assert [r["ok"] for r in _act(client, h["unit_cq"], "confirm", [a1])] == [True]
    queue_res = client.get("/api/v1/review/queue?unconfirmed=true", headers=h["unit_cq"]).get_json()
    assert sorted(i["id"] for i in queue_res["items"]) == sorted([a2, a3, a4])
    [not_ours] = _act(client, h["unit_cq"], "not_ours", [a3], reason="本单位没有这个项目，请核实完成单位")
    assert not_ours["ok"] and not_ours["status"] == "returned"
    assert all(r["ok"] for r in _act(client, h["unit_cq"], "recommend", [a1, a2]))
    [over] = _act(client, h["unit_cq"], "recommend", [a4])
    assert not over["ok"] and over["error"]["code"] == "over_quota"
    assert "已推荐 2 项" in over["error"]["message"] and "名额 2 项" in over["error"]["message"]
    assert db.session.get(Entry, a4).status == "submitted"

    # The submitter sees why a3 came back (API and dialogue).
    mine = {e["id"]: e for e in client.get("/api/v1/me/entries", headers=h["p_cq"]).get_json()["entries"]}
    assert mine[a3]["status"] == "returned" and "核实完成单位" in mine[a3]["returned"]["reason"]
    assert mine[a3]["returned"]["fields"] == [{"field": "unit", "label": label("unit")}]

    # The county returns a2 naming two fields; the filer edits them in the dialogue and resubmits.
    county_queue = client.get("/api/v1/review/queue", headers=h["county_cq"]).get_json()
    assert sorted(i["id"] for i in county_queue["items"]) == sorted([a1, a2])
    [ret] = _act(client, h["county_cq"], "return", [a2], reason="请补充效益数据", fields=["title", "summary"])
    assert ret["ok"]
    chat = Chat(client, "rv-p_cq")
    chat.say("我的申报")
    assert "请补充效益数据" in chat.text() and f"修改申报 {a2}" in chat.text()
    chat.say(f"修改申报 {a2}")
    assert chat.step == "title" and "请补充效益数据" in chat.text()
    chat.say("液压支架快速检修平台（改进版）")
    chat.say(f"修改 {label('summary')}")
    assert chat.step == "summary"
    chat.say("改进后检修时间由每次4小时降到1.5小时，年节约费用20万元。")
    for _ in range(5):                         # optional steps the filer left empty are offered
        if chat.step == "confirm":
            break
        chat.say("跳过")
    assert chat.step == "confirm"
    chat.say("提交")
    entry = db.session.get(Entry, a2)
    db.session.refresh(entry)
    assert entry.status == "submitted" and entry.title == "液压支架快速检修平台（改进版）"
    assert all(r["ok"] for r in _act(client, h["unit_cq"], "recommend", [a2]))      # climbs from the unit
    assert all(r["ok"] for r in _act(client, h["county_cq"], "recommend", [a1, a2]))

    # The other county, the industry union, the unit directly under the city (the city acts for it).
    assert all(r["ok"] for r in _act(client, h["unit_zz"], "recommend", [b1]))
    assert all(r["ok"] for r in _act(client, h["county_zz"], "recommend", [b1]))
    assert all(r["ok"] for r in _act(client, h["unit_iu"], "recommend", [c1]))
    assert all(r["ok"] for r in _act(client, h["iu"], "recommend", [c1]))
    assert all(r["ok"] for r in _act(client, h["city"], "recommend", [d1]))
    city_queue = client.get("/api/v1/review/queue?sort=id", headers=h["city"]).get_json()
    assert [i["id"] for i in city_queue["items"]] == sorted([a1, a2, b1, c1, d1])

    # A stale batch: a4 was never passed on; it fails alone, the rest are accepted.
    results = {r["entry_id"]: r for r in _act(client, h["city"], "accept", [a1, a2, b1, c1, d1, a4])}
    assert not results[a4]["ok"] and results[a4]["error"]["code"] == "wrong_status"
    assert "已提交" in results[a4]["error"]["message"]
    assert all(results[i]["ok"] and results[i]["status"] == "accepted" for i in (a1, a2, b1, c1, d1))

    # Every act is notified through the outbox with a handler.
    kinds = {e.kind for e in db.session.scalars(select(OutboxEvent))}
    assert {"entry_returned", "entry_recommended", "entry_accepted"} <= kinds <= set(HANDLERS)

    # 附件2 of each level matches its entries.
    titles = {i: db.session.get(Entry, i).title for i in (a1, a2, b1, c1, d1)}
    expect = {("u_cq", "unit"): [a1, a2], ("cq", "county"): [a1, a2], ("zz", "county"): [b1],
              ("iu", "county"): [c1], ("city", "city"): [a1, b1, c1, d1, a2]}   # in order of (re)submission
    for (org_key, level), ids in expect.items():
        org = world.orgs[org_key]
        (stamp, header), rows = _rows(sheet.build(org.id, world.season.id, level))
        assert stamp == f"推荐单位（盖章）：{org.name}" and header == HEADER
        assert [r[3] for r in rows] == [titles[i] for i in ids] and [r[0] for r in rows] == list(range(1, len(ids) + 1))
    (_, _), rows = _rows(sheet.build(world.orgs["zz"].id, world.season.id, "county"))
    e = db.session.get(Entry, b1)
    assert rows[0] == [1, "煤炭", "设备类", "变压器油色谱在线监测", "李明", "男",
                       f"是（{e.patent_number}，{e.patent_announced_on.isoformat()}）", "泽州示范电力检修有限公司"]

    # The county's sheet through the job, with its progress.
    res = client.post("/api/v1/review/sheets", json={"org_id": world.orgs["cq"].id, "season_id": world.season.id},
                      headers=h["county_cq"])
    assert res.status_code == 202, res.get_json()
    job_id = res.get_json()["job_id"]
    other = client.post("/api/v1/review/sheets", json={"org_id": world.orgs["cq"].id, "season_id": world.season.id},
                        headers=h["county_zz"])
    assert other.status_code == 403
    assert client.get(f"/api/v1/review/sheets/{job_id}/file", headers=h["county_cq"]).status_code == 404   # not yet
    SimpleWorker([queue("default")], connection=queue("default").connection).work(burst=True)   # the RQ worker
    state = client.get(f"/api/v1/review/sheets/{job_id}", headers=h["county_cq"]).get_json()
    assert state["progress"] == {"done": 2, "total": 2}
    assert client.get(f"/api/v1/review/sheets/{job_id}", headers=h["county_zz"]).status_code == 404
    download = client.get(f"/api/v1/review/sheets/{job_id}/file", headers=h["county_cq"])
    assert download.status_code == 200
    assert [r[3] for r in _rows(download.data)[1]] == [titles[a1], titles[a2]]

    # The same as .docx to print and stamp.
    res = client.post("/api/v1/review/sheets", headers=h["county_cq"],
                      json={"org_id": world.orgs["cq"].id, "season_id": world.season.id, "format": "docx"})
    assert res.status_code == 202
    SimpleWorker([queue("default")], connection=queue("default").connection).work(burst=True)
    download = client.get(f"/api/v1/review/sheets/{res.get_json()['job_id']}/file", headers=h["county_cq"])
    assert download.status_code == 200 and download.headers["Content-Type"].endswith("wordprocessingml.document")
    doc = Document(io.BytesIO(download.data))
    texts = [p.text for p in doc.paragraphs]
    assert texts[:3] == ["附件2", "“五小”竞赛优秀成果推荐表", f"推荐单位（盖章）：{world.orgs['cq'].name}"]
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == HEADER
    assert [[c.text for c in r.cells][3] for r in table.rows[1:]] == [titles[a1], titles[a2]]
