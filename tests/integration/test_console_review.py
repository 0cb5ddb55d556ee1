"""The review chain on the console (issue 15 item 5): the queue with its filters, sorting,
paging and duplicate flags; batch actions, each entry's success or refusal next to it; one
entry in full with its pictures (shown only to those who may see the entry), history,
duplicates and actions. The rules are the services' (the API's tests walk them whole)."""
from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from sqlalchemy import select

from server.extensions import db
from server.models import Entry, EntryReview, User
from server.services import attachments
from server.services.seasons import current_season
from server.wechat.sandbox import openid_for_code

from ..factories import make_entry
from .console import csrf_of, desk_login


def demo(code: str) -> User:
    return db.session.scalar(select(User).where(User.openid == openid_for_code(code)))


@pytest.fixture()
def waiting(seeded):
    """Five entries the 城区 unit recommended (waiting for the county), one still at the unit."""
    p = demo("demo-participant")
    season = current_season()
    made = [make_entry(p, status="unit_recommended", season=season, title=title,
                       category="equipment" if n % 2 else "process") for n, title in enumerate(TITLES)]
    made.append(make_entry(p, status="submitted", season=season, title="井下照明节能改造"))
    db.session.commit()
    return [e.id for e in made]


TITLES = ("皮带自动纠偏装置", "液压支架快速检修工装", "变电站巡检记录小程序", "锅炉除渣工艺优化", "井下水泵远程控制")


def rows(html: str) -> str:
    return html[html.index('<table id="queue"'):html.index("</table>", html.index('<table id="queue"'))]


def test_the_queue_lists_what_waits_filters_sorts_and_pages(client, waiting):
    desk_login(client, "demo-county-admin")
    home = client.get("/console/").text
    assert "审核推荐" in home
    page = client.get("/console/review")
    assert page.status_code == 200
    listed = rows(page.text)
    assert all(f'value="{i}"' in listed for i in waiting[:5]) and f'value="{waiting[5]}"' not in listed
    assert "共 5 条" in page.text and 'id="select-all"' in page.text and "已选 0 项" in page.text
    listed = rows(client.get("/console/review?category=process").text)
    assert listed.count('class="pick"') == 3 and "疑似重复" not in listed
    listed = rows(client.get("/console/review?sort=id&order=desc").text)
    found = [int(i) for i in re.findall(r'name="entry_ids" value="(\d+)"', listed)]
    assert found == sorted(waiting[:5], reverse=True)
    client.get("/console/review?sort=id")
    assert "第 1/1 页" in client.get("/console/review?status=submitted").text
    bad = client.get("/console/review?sort=nonsense")
    assert bad.status_code == 200 and "排序字段不正确" in bad.text


def test_unit_admin_sees_unconfirmed_and_named_unit_flags(client, waiting):
    desk_login(client, "demo-unit-admin")
    page = client.get("/console/review?unconfirmed=1").text
    listed = rows(page)
    assert f'value="{waiting[5]}"' in listed and "单位未确认" in listed
    assert listed.count('class="pick"') == 1


def test_batch_recommend_shows_each_outcome_next_to_the_entry(client, waiting):
    csrf = desk_login(client, "demo-county-admin")
    ids = waiting[:3] + [waiting[5]]             # the last one is not the county's to act on
    res = client.post("/console/review", data={"csrf_token": csrf, "action": "recommend",
                                               "entry_ids": [str(i) for i in ids]})
    assert res.status_code == 200
    results = res.text[res.text.index('id="batch-results"'):]
    for i in waiting[:3]:
        row = re.search(rf'<tr id="result-{i}" class="ok">.*?</tr>', results, re.S).group(0)
        assert "已办理" in row and "县级已推荐" in row
    refused = re.search(rf'<tr id="result-{waiting[5]}" class="refused">.*?</tr>', results, re.S).group(0)
    assert "✗" in refused and "3 份成功，1 份未办理" in results
    db.session.expire_all()
    assert [db.session.get(Entry, i).status for i in waiting[:3]] == ["county_recommended"] * 3
    assert db.session.get(Entry, waiting[5]).status == "submitted"
    assert "共 2 条" in res.text                 # the queue below no longer holds them


@pytest.mark.parametrize("data,words", [
    ({"action": "return"}, "必须写明原因"),
    ({"action": "ineligible", "reason": "立项项目"}, "违反的是哪一条"),
    ({"action": "dance"}, "不认识的审核操作"),
    ({"action": "return", "reason": "补充", "reply_by": "明天"}, "不是日期"),
    ({"action": "recommend", "no_ids": True}, "请先勾选"),
])
def test_a_bad_batch_is_refused_whole_and_keeps_what_was_typed(client, waiting, data, words):
    csrf = desk_login(client, "demo-county-admin")
    form = {k: v for k, v in data.items() if k != "no_ids"}
    if not data.get("no_ids"):
        form["entry_ids"] = [str(waiting[0]), str(waiting[1])]
    res = client.post("/console/review", data={"csrf_token": csrf, **form})
    assert res.status_code == 400 and words in res.text
    db.session.expire_all()
    assert db.session.get(Entry, waiting[0]).status == "unit_recommended"
    if not data.get("no_ids"):
        assert re.search(rf'value="{waiting[0]}"[^>]*checked', res.text)      # still ticked
        assert "已选 2 项" in res.text


def test_return_with_reason_fields_and_reply_by_from_the_entry_page(client, waiting):
    csrf = desk_login(client, "demo-county-admin")
    entry_id = waiting[0]
    page = client.get(f"/console/review/entries/{entry_id}")
    assert page.status_code == 200 and "皮带自动纠偏装置" in page.text and 'id="review-history"' in page.text
    assert "单位推荐" in page.text or "提交申报" in page.text or "还没有操作记录" in page.text
    res = client.post(f"/console/review/entries/{entry_id}", data={
        "csrf_token": csrf, "action": "return", "reason": "成果简介缺少应用效果数据", "fields": ["summary"],
        "reply_by": "2099-01-01"})
    assert res.status_code == 302
    page = client.get(res.headers["Location"]).text
    assert "“退回修改”已办理" in page and "成果简介缺少应用效果数据" in page and "2099-01-01" in page
    review = db.session.get(EntryReview, entry_id)
    db.session.refresh(review)
    assert review.return_fields == ["summary"] and str(review.reply_by) == "2099-01-01"
    again = client.post(f"/console/review/entries/{entry_id}", data={"csrf_token": csrf, "action": "recommend"})
    assert again.status_code == 409 and "已退回修改" in again.text


def test_pictures_show_inline_for_those_who_may_see_the_entry_only(client, waiting):
    entry = db.session.get(Entry, waiting[0])
    buf = io.BytesIO()
    Image.new("RGB", (200, 150), "green").save(buf, format="PNG")
    stored = attachments.store(demo("demo-participant"), entry, buf.getvalue(), "现场照片.png", "image")
    db.session.commit()
    desk_login(client, "demo-county-admin-zezhou")        # another county
    assert client.get(f"/console/review/entries/{entry.id}").status_code == 404
    assert client.get(f"/console/attachments/{stored.attachment.id}").status_code == 404
    client.post("/console/logout", data={"csrf_token": csrf_of(client.get("/console/").text)})
    desk_login(client, "demo-county-admin")
    page = client.get(f"/console/review/entries/{entry.id}").text
    assert f'<img src="/console/attachments/{stored.attachment.id}"' in page
    img = client.get(f"/console/attachments/{stored.attachment.id}")
    assert img.status_code == 200 and img.mimetype == "image/png" and "inline" in img.headers["Content-Disposition"]
    dl = client.get(f"/console/attachments/{stored.attachment.id}?download=1")
    assert dl.headers["Content-Disposition"].startswith("attachment")


def test_duplicates_are_flagged_in_the_queue_and_on_the_entry(client, waiting):
    p = demo("demo-participant")
    twin = make_entry(p, status="unit_recommended", season=current_season(), title="皮带自动纠偏装置")
    db.session.commit()
    desk_login(client, "demo-county-admin")
    assert f"疑似重复：{waiting[0]}号" in client.get("/console/review").text
    page = client.get(f"/console/review/entries/{twin.id}").text
    assert 'id="duplicates"' in page and f"{waiting[0]}号《皮带自动纠偏装置》" in page


def test_offices_that_review_nothing_do_not_get_the_page(client, seeded):
    desk_login(client, "demo-expert")
    assert "审核推荐" not in client.get("/console/").text
    assert client.get("/console/review").status_code == 403


def test_a_long_queue_stops_counting_at_the_cap(client, waiting, monkeypatch):
    from server.services.review import queue
    monkeypatch.setattr(queue, "COUNT_CAP", 2)
    monkeypatch.setattr("server.web.console.review.PER_PAGE", 2)
    desk_login(client, "demo-county-admin")
    page = client.get("/console/review").text
    assert "超过 2 条，第 1 页" in page and 'rel="next"' in page
    third = client.get("/console/review?page=3").text
    assert rows(third).count('class="pick"') == 1                  # the fifth entry, past the cap
    monkeypatch.setattr(queue, "COUNT_CAP", None)                   # counted exactly
    assert "共 5 条，第 1/3 页" in client.get("/console/review").text


def test_the_api_says_when_the_count_was_capped(client, waiting, monkeypatch):
    from server.services.review import queue
    from ..helpers import auth_header, login
    monkeypatch.setattr(queue, "COUNT_CAP", 3)
    h = auth_header(login(client, "demo-county-admin")["token"])
    body = client.get("/api/v1/review/queue?per_page=2&page=2", headers=h).get_json()
    assert (body["total"], body["capped"], len(body["items"])) == (3, True, 2)
    monkeypatch.setattr(queue, "COUNT_CAP", 10)
    body = client.get("/api/v1/review/queue?per_page=2&page=9", headers=h).get_json()
    assert (body["total"], body["capped"], body["items"]) == (5, False, [])


def test_the_recommendation_sheet_and_its_stamped_scan(client, waiting):
    from openpyxl import load_workbook
    from rq import SimpleWorker

    from server.extensions import queue, redis_client
    from server.models import Organisation
    csrf = desk_login(client, "demo-county-admin")
    client.post("/console/review", data={"csrf_token": csrf, "action": "recommend",
                                         "entry_ids": [str(i) for i in waiting[:2]]})
    county = db.session.scalar(select(Organisation).where(Organisation.name == "城区"))
    page = client.get("/console/review/sheets")
    assert page.status_code == 200 and f'<option value="{county.id}">城区</option>' in page.text
    res = client.post("/console/review/sheets", data={"csrf_token": csrf, "org_id": str(county.id), "format": "xlsx"})
    assert res.status_code == 302
    job_page = client.get(res.headers["Location"]).text
    assert 'http-equiv="refresh"' in job_page and "正在生成" in job_page
    SimpleWorker([queue("default")], connection=redis_client()).work(burst=True)
    job_page = client.get(res.headers["Location"]).text
    assert 'id="sheet-download"' in job_page
    download = client.get(res.headers["Location"] + "/file")
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(download.data)).active
    titles = [row[3] for row in sheet.iter_rows(min_row=5, values_only=True) if isinstance(row[0], int)]
    assert titles == list(TITLES[:2])
    bad = client.post("/console/review/sheets", data={"csrf_token": csrf, "org_id": "999999", "format": "xlsx"})
    assert bad.status_code == 400 and "找不到" in bad.text

    buf = io.BytesIO()
    Image.new("RGB", (300, 400), "white").save(buf, format="PNG")
    res = client.post("/console/review/scans", data={"csrf_token": csrf, "org_id": str(county.id),
                                                     "file": (io.BytesIO(buf.getvalue()), "盖章推荐表.png")},
                      content_type="multipart/form-data")
    assert res.status_code == 302
    page = client.get(res.headers["Location"]).text
    assert "盖章扫描件已上传" in page and "盖章推荐表.png" in page
    scan_link = re.search(r'href="(/console/review/scans/\d+)"', page).group(1)
    assert client.get(scan_link).mimetype == "image/png"
    empty = client.post("/console/review/scans", data={"csrf_token": csrf, "org_id": str(county.id),
                                                       "file": (io.BytesIO(b""), "x.png")},
                        content_type="multipart/form-data")
    assert empty.status_code == 400 and 'id="sheet-error"' in empty.text
    client.post("/console/logout", data={"csrf_token": csrf_of(client.get("/console/").text)})
    desk_login(client, "demo-county-admin-zezhou")
    assert client.get(scan_link).status_code == 404
    assert client.get(res.headers["Location"]).status_code == 200
