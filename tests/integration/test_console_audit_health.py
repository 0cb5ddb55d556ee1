"""The audit trail page (filters, paging, scope) and the health page (failed jobs with retry)
of the console (issue 14 items 6 and 7)."""
from __future__ import annotations

from rq import SimpleWorker
from rq.registry import FailedJobRegistry
from sqlalchemy import select

from server.extensions import db, queue, redis_client
from server.models import AuditEvent, Organisation, User
from server.services.audit import record

from .console import csrf_of, desk_login


def audit_rows(html: str) -> str:
    return html[html.index('<table id="audit">'):html.index("</table>")]


def test_the_trail_filters_and_keeps_to_the_subtree(client, seeded):
    city_admin = db.session.scalar(select(User).where(User.name == "陈明"))
    zz = db.session.scalar(select(Organisation).where(Organisation.name == "泽州县"))
    record(city_admin, "org_updated", "org", zz.id, data={"changes": {"name": ["泽州", "泽州县"]}})
    db.session.commit()
    desk_login(client, "demo-county-admin")          # 城区: the city admin's change to 泽州县 is not theirs
    rows = audit_rows(client.get("/console/audit").text)
    assert "登录工作台" in rows and "泽州" not in rows
    client.post("/console/logout", data={"csrf_token": csrf_of(client.get("/console/").text)})
    desk_login(client, "demo-city-admin")
    rows = audit_rows(client.get("/console/audit?object=org").text)
    assert "泽州 → 泽州县" in rows and "登录工作台" not in rows
    assert "修改机构" in audit_rows(client.get("/console/audit?actor=陈明&action=org_updated").text)
    assert "还没有操作记录" in audit_rows(client.get("/console/audit?since=2000-01-01&until=2000-01-02").text)
    assert client.get("/console/audit?since=not-a-date&page=x&sort=nonsense").status_code == 200


def test_only_offices_with_audit_rights_see_it(client, seeded):
    desk_login(client, "demo-unit-admin")
    res = client.get("/console/audit")
    assert res.status_code == 403 and "范围" in res.text


def test_health_lists_failed_jobs_and_retries_one(client, seeded):
    job = queue("low").enqueue("builtins.int", "不是数字")
    SimpleWorker([queue("low")], connection=redis_client()).work(burst=True)
    assert job.id in FailedJobRegistry(queue=queue("low")).get_job_ids()
    desk_login(client, "demo-city-admin")
    page = client.get("/console/health").text
    assert "builtins.int" in page and "ValueError" in page and "待发通知" in page
    res = client.post("/console/health/retry", data={"csrf_token": csrf_of(page), "queue": "low", "job": job.id})
    assert res.status_code == 302
    assert job.id not in FailedJobRegistry(queue=queue("low")).get_job_ids() and job.id in queue("low").job_ids
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "job_retried"))
    res = client.post("/console/health/retry", data={"csrf_token": csrf_of(page), "queue": "low", "job": "nope"})
    assert res.status_code == 404 and "找不到" in res.text


def test_health_is_for_city_admins(client, seeded):
    desk_login(client, "demo-county-admin")
    assert "运行状态" not in client.get("/console/").text
    assert client.get("/console/health").status_code == 403


def test_a_long_trail_stops_counting_at_the_cap(client, seeded, monkeypatch):
    from server.services import audit_query
    monkeypatch.setattr(audit_query, "COUNT_CAP", 2)
    desk_login(client, "demo-city-admin")
    city_admin = db.session.scalar(select(User).where(User.name == "陈明"))
    for n in range(4):
        record(city_admin, "org_updated", "org", n + 1, data={"n": n})
    db.session.commit()
    page = client.get("/console/audit?object=org").text
    assert "超过 2 条，第 1 页" in page and 'rel="next"' in page
    assert audit_rows(page).count("修改机构") == 4          # the rows of the page are all there


def test_the_award_and_tally_actions_read_in_chinese(client, seeded):
    """Issue 18's audit rows (promotions here, recorded through the console) show their labels on
    the 操作记录 page and in its filters, not the action names of the code."""
    token = desk_login(client, "demo-unit-admin")
    unit = db.session.scalar(select(Organisation).where(Organisation.name == "晋城示范煤机制造有限公司"))
    from server.timeutil import china_today
    form = {"csrf_token": token, "org_id": str(unit.id), "person_name": "王小明", "from_grade": "grade4",
            "to_grade": "grade3", "promoted_on": china_today().isoformat(), "entry_id": ""}
    assert client.post("/console/promotions", data=form).status_code == 302
    client.post("/console/logout", data={"csrf_token": csrf_of(client.get("/console/").text)})
    desk_login(client, "demo-city-admin")
    page = client.get("/console/audit?object=skill_promotion").text
    rows = audit_rows(page)
    assert "登记技能等级晋升" in rows and "promotion_recorded" not in rows
    assert ">技能等级晋升</option>" in page and ">优秀组织奖</option>" in page
    assert ">上传优秀组织奖佐证材料</option>" in page
