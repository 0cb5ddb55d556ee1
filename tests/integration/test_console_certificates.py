"""Issue 17 item 7 in the console: the city office lists a season's certificates (search,
filters, paging), revokes with a reason (audited; the API then answers 410), redraws a
certificate (same serial, still valid) or replaces one whose holder's name was wrong (a new
serial; the old one answers "revoked, replaced by …"), and downloads the whole season as one
archive built by an idempotent RQ job whose progress a small JSON endpoint reports."""
from __future__ import annotations

import csv
import io
import zipfile

import pytest
from rq import SimpleWorker
from sqlalchemy import func, select

from server.extensions import db, queue, redis_client
from server.models import AuditEvent, Certificate, User
from server.services.certificates import archive, issue, render, verify

from ..factories import make_awarded
from .console import desk_login

AWARDS = ("special", "first", "second", "third", "excellent")


@pytest.fixture(autouse=True)
def fresh_rate_counts(monkeypatch):
    monkeypatch.setattr(verify, "_counts", {})


def _season_with_certificates(seeded, n: int = 7) -> tuple[int, list[Certificate]]:
    participant = db.session.scalar(select(User).where(User.name == "张建国"))
    season = seeded["demo_season"]
    for i in range(n):
        make_awarded(participant, AWARDS[i % 5], season=season, title=f"第{i}号皮带纠偏装置")
    db.session.commit()
    issue.issue_for_season(season.id)
    queue("low").empty()                               # the render jobs: drawn on demand here
    certs = db.session.scalars(select(Certificate).where(Certificate.season_id == season.id)
                               .order_by(Certificate.id)).all()
    return season.id, certs


def _api(client, cert: Certificate):
    q = {"d": cert.payload, "k": cert.key.kid, "sig": cert.signature}
    return client.get(f"/api/v1/certificates/{cert.serial}", query_string=q)


def test_the_city_office_finds_a_seasons_certificates(client, seeded):
    season_id, certs = _season_with_certificates(seeded, 35)
    desk_login(client, "demo-city-admin")
    assert "荣誉证书" in client.get("/console/").text
    page = client.get(f"/console/certificates?season={season_id}")
    assert page.status_code == 200
    assert page.text.count("data-serial=") == 30 and "共 35 条" in page.text
    second = client.get(f"/console/certificates?season={season_id}&page=2")
    assert second.text.count("data-serial=") == 5
    cases = [  # (query, how many match; a page shows 30)
        ({"q": certs[3].serial}, 1),
        ({"q": "第1"}, 11),                          # 第1号, 第10..19号
        ({"q": "张建国"}, 35),
        ({"award": "special"}, 7),
        ({"award": "nonsense"}, 35),                 # an unknown award is no filter
        ({"status": "revoked"}, 0),
        ({"status": "valid", "award": "first"}, 7),
        ({"q": "%"}, 0),                             # LIKE wildcards are literal
        ({"q": "_"}, 0),
    ]
    for query, total in cases:
        res = client.get("/console/certificates", query_string={"season": season_id, **query})
        assert res.status_code == 200, query
        assert res.text.count("data-serial=") == min(total, 30) and f"共 {total} 条" in res.text, query
    assert client.get("/console/certificates?season=abc").status_code == 404
    assert client.get("/console/certificates?season=123456789012").status_code == 404


@pytest.mark.parametrize("code", ["demo-county-admin", "demo-estation"])
def test_others_do_not_see_the_certificates(client, seeded, code):
    season_id, certs = _season_with_certificates(seeded, 1)
    token = desk_login(client, code)
    assert "荣誉证书" not in client.get("/console/").text
    assert client.get("/console/certificates").status_code == 403
    assert client.get(f"/console/certificates/{certs[0].serial}").status_code == 403
    res = client.post(f"/console/certificates/{certs[0].serial}/revoke", data={"reason": "不该撤", "csrf_token": token})
    assert res.status_code == 403
    assert client.post(f"/console/seasons/{season_id}/certificates/archive", data={"csrf_token": token}).status_code == 403
    assert client.get(f"/console/seasons/{season_id}/certificates/archive.json").status_code == 403
    db.session.expire_all()
    assert db.session.get(Certificate, certs[0].id).revoked_at is None


def test_revoke_with_a_reason_is_audited_and_the_api_answers_410(client, seeded):
    _, certs = _season_with_certificates(seeded, 2)
    cert = certs[0]
    token = desk_login(client, "demo-city-admin")
    url = f"/console/certificates/{cert.serial}/revoke"
    for bad in ("", " ", "撤"):
        res = client.post(url, data={"reason": bad, "csrf_token": token})
        assert res.status_code == 400 and "请填写撤销原因" in res.text
    assert client.post(url, data={"reason": "经复核项目不符合条件"}).status_code == 400     # no CSRF token
    db.session.expire_all()
    assert db.session.get(Certificate, cert.id).revoked_at is None                    # nothing half saved
    res = client.post(url, data={"reason": "经复核，项目不符合申报条件", "csrf_token": token})
    assert res.status_code == 302
    page = client.get(res.headers["Location"])
    assert "证书已撤销" in page.text and "经复核，项目不符合申报条件" in page.text and "撤销证书" in page.text
    assert _api(client, cert).status_code == 410
    again = client.post(url, data={"reason": "再撤一次试试", "csrf_token": token})
    assert again.status_code == 409 and "已经撤销" in again.text
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "certificate_revoked")).all()
    assert len(events) == 1 and events[0].reason == "经复核，项目不符合申报条件"
    assert client.get("/console/certificates/WX2099-1-99999").status_code == 404


def test_redraw_keeps_the_certificate_and_draws_its_files_again(client, seeded):
    _, certs = _season_with_certificates(seeded, 1)
    cert = certs[0]
    token = desk_login(client, "demo-city-admin")
    pdf = client.get(f"/console/certificates/{cert.serial}/file.pdf")
    assert pdf.status_code == 200 and pdf.data[:5] == b"%PDF-"
    path = render.stored_path(cert.serial, "pdf")
    path.write_bytes(b"stale")                         # a file from an older layout
    res = client.post(f"/console/certificates/{cert.serial}/redraw", data={"csrf_token": token})
    assert res.status_code == 302 and "done=redrawn" in res.headers["Location"]
    assert path.read_bytes()[:5] == b"%PDF-" and render.stored_path(cert.serial, "png").exists()
    db.session.expire_all()
    same = db.session.get(Certificate, cert.id)
    assert (same.serial, same.payload, same.signature, same.revoked_at) == (cert.serial, cert.payload, cert.signature, None)
    assert _api(client, same).get_json()["status"] == "valid"
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "certificate_redrawn")) == 1


def test_a_wrong_name_is_replaced_by_a_new_certificate_and_the_old_says_so(client, seeded):
    _, certs = _season_with_certificates(seeded, 1)
    old = certs[0]
    token = desk_login(client, "demo-city-admin")
    url = f"/console/certificates/{old.serial}/replace"
    bad = [({"holder_name": "", "reason": "姓名错字"}, "更正后的获奖人"),
           ({"holder_name": old.holder_name, "reason": "姓名错字"}, "与原证书相同"),
           ({"holder_name": "张建囯", "reason": ""}, "换发原因"),
           ({"holder_name": "张" * 51, "reason": "姓名错字"}, "1 到 50 个字")]
    for form, message in bad:
        res = client.post(url, data={**form, "csrf_token": token})
        assert res.status_code == 400 and message in res.text, form
    assert db.session.scalar(select(func.count(Certificate.id))) == 1
    res = client.post(url, data={"holder_name": " 张建囯 ", "reason": "获奖人姓名错字，本人申请更正", "csrf_token": token})
    assert res.status_code == 302
    new = db.session.scalar(select(Certificate).where(Certificate.generation == 1))
    assert new.serial == old.serial + "R1" and new.holder_name == "张建囯" and new.award == old.award
    assert new.entry_id == old.entry_id and new.title == old.title
    page = client.get(res.headers["Location"])
    assert "已换发新证书，原证书已撤销" in page.text and old.serial in page.text
    db.session.expire_all()
    stale = db.session.get(Certificate, old.id)
    assert stale.replaced_by_id == new.id and stale.revoked_at is not None
    answer = _api(client, stale)
    assert answer.status_code == 410
    body = answer.get_json()
    assert body["revoked"]["replaced_by"] == new.serial and new.serial in body["revoked"]["reason"]
    assert _api(client, new).get_json()["status"] == "valid"
    phone = client.get(f"/verify/{old.serial}")
    assert "已撤销" in phone.text and f'href="/verify/{new.serial}"' in phone.text
    revocations = client.get("/.well-known/wx-certificate-revocations.json").get_json()
    assert any(r["serial"] == old.serial and new.serial in r["reason"] for r in revocations["revoked"])
    # issuing again (the season's job re-run) finds the replacement, not a third certificate
    assert issue.issue_for_entry(old.entry_id).id == new.id
    again = client.post(url, data={"holder_name": "张建国", "reason": "再换一次", "csrf_token": token})
    assert again.status_code == 409
    second = client.post(f"/console/certificates/{new.serial}/replace",
                         data={"holder_name": "张建國", "reason": "又错了一个字", "csrf_token": token})
    assert second.status_code == 302 and new.serial[:-2] + "R2" in second.headers["Location"]
    trail = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "certificate_replaced")).all()
    assert [e.data["replaced_by"] for e in trail] == [new.serial, new.serial[:-2] + "R2"]


def _work():
    SimpleWorker([queue("low")], connection=redis_client()).work(burst=True)


def test_the_archive_is_one_idempotent_job_with_progress_and_a_download(client, seeded):
    season_id, certs = _season_with_certificates(seeded, 6)
    token = desk_login(client, "demo-city-admin")
    revoked = certs[5]
    client.post(f"/console/certificates/{revoked.serial}/revoke", data={"reason": "不符合条件", "csrf_token": token})
    state = client.get(f"/console/seasons/{season_id}/certificates/archive.json").get_json()
    assert state["status"] == "none" and state["total"] == 5 and not state["ready"]
    assert client.get(f"/console/seasons/{season_id}/certificates/archive.zip").status_code == 404
    url = f"/console/seasons/{season_id}/certificates/archive"
    first = client.post(url, data={"csrf_token": token}, headers={"Accept": "application/json"})
    second = client.post(url, data={"csrf_token": token}, headers={"Accept": "application/json"})
    assert first.status_code == second.status_code == 202
    assert first.get_json()["job_id"] == second.get_json()["job_id"] and first.get_json()["status"] == "queued"
    assert queue("low").count == 1                    # asked twice, queued once
    page = client.get(f"/console/certificates?season={season_id}")
    assert 'id="archive-status">排队中' in page.text and "certificates.js" in page.text
    _work()
    state = client.get(f"/console/seasons/{season_id}/certificates/archive.json").get_json()
    assert state == {"job_id": first.get_json()["job_id"], "status": "finished", "done": 5, "total": 5, "ready": True}
    res = client.get(f"/console/seasons/{season_id}/certificates/archive.zip")
    assert res.status_code == 200 and res.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(res.data)) as zf:
        names = set(zf.namelist())
        valid = [c.serial for c in certs[:5]]
        assert names == {f"{s}.{fmt}" for s in valid for fmt in ("pdf", "png")} | {"list.csv"}
        assert zf.read(f"{valid[0]}.pdf")[:5] == b"%PDF-"
        rows = list(csv.reader(io.StringIO(zf.read("list.csv").decode("utf-8-sig"))))
    assert rows[0][0] == "证书编号" and [r[0] for r in rows[1:]] == valid
    # done: asking again queues nothing; a new revocation makes a new archive
    client.post(url, data={"csrf_token": token})
    assert queue("low").count == 0
    client.post(f"/console/certificates/{certs[0].serial}/revoke", data={"reason": "不符合条件", "csrf_token": token})
    state = client.get(f"/console/seasons/{season_id}/certificates/archive.json").get_json()
    assert state["status"] == "none" and state["total"] == 4
    res = client.post(url, data={"csrf_token": token})
    assert res.status_code == 302 and queue("low").count == 1


def test_the_archive_is_written_to_disk_member_by_member(ctx, seeded, monkeypatch):
    """The zip is streamed to its file: each member is copied from the stored render (never
    the whole archive in memory) and the progress is reported along the way."""
    season_id, certs = _season_with_certificates(seeded, 6)
    seen = []
    job_id = archive.job_id_for(season_id)
    path = archive.build(season_id, job_id, lambda done, total: seen.append((done, total)))
    assert seen == [(0, 6), (5, 6), (6, 6)]
    with zipfile.ZipFile(path) as zf:
        assert all(i.compress_type == zipfile.ZIP_STORED for i in zf.infolist() if i.filename != "list.csv")
    assert archive.build(season_id, job_id) == path            # built: the job run twice does nothing
