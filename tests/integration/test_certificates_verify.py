"""Verification over HTTP: the API and the phone page answer valid / revoked (410, reason, date)
/ invalid for every kind of bad input and never a 500; the page shows honour-roll facts only;
rate limiting per client; revocation by a city admin only, audited; the signed public lists;
a holder's certificates and downloads."""
from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select, update

from server.extensions import db
from server.models import AuditEvent, Certificate
from server.services.certificates import codec, issue, verify
from server.wechat.sandbox import openid_for_code
from tests.factories import make_awarded, make_tree, make_user
from tests.helpers import auth_header, fresh_pools, kill_database_connections, login



@pytest.fixture(autouse=True)
def fresh_rate_counts(monkeypatch):
    """Each process keeps its clients' counts between Redis syncs; tests start from none."""
    monkeypatch.setattr(verify, "_counts", {})

@pytest.fixture()
def world(ctx):
    tree = make_tree()
    holder = make_user("张建国", ("participant", tree.unit), openid=openid_for_code("cert-holder"),
                       phone="13912345678")
    admin = make_user("市总", ("city_admin", tree.city), openid=openid_for_code("cert-city"))
    county = make_user("县总", ("county_admin", tree.county), openid=openid_for_code("cert-county"))
    entry = make_awarded(holder, "first")
    db.session.commit()
    cert = issue.issue_for_entry(entry.id)
    url = issue.url_for(cert, "http://localhost")
    return {"cert": cert, "url": url, "path": url[len("http://localhost"):], "admin": admin,
            "county": county, "holder": holder, "entry": entry}


def _api(path: str) -> str:
    return path.replace("/verify/", "/api/v1/certificates/", 1)


def test_a_genuine_code_is_valid_on_the_page_and_the_api(client, world):
    res = client.get(world["path"])
    page = res.get_data(as_text=True)
    assert res.status_code == 200 and 'data-status="valid"' in page and "证书真实有效" in page
    assert "张建国" in page and "皮带输送机自动纠偏装置" in page and "一等奖" in page
    assert "13912345678" not in page and "1985-06" not in page and "1985年" not in page   # no phone, no birth month
    body = client.get(_api(world["path"])).get_json()
    assert body["status"] == "valid" and body["serial"] == world["cert"].serial and body["signed"] is True
    assert "电子签名已核对" in page
    assert body["certificate"]["holder"] == "张建国" and body["certificate"]["award"] == "first"
    assert "13912345678" not in json.dumps(body, ensure_ascii=False)
    typed = client.get(f"/api/v1/certificates/{world['cert'].serial}").get_json()   # a serial typed by hand
    assert typed["status"] == "valid" and "signed" not in typed


def _variants(world) -> dict[str, str]:
    cert, path = world["cert"], world["path"]
    base, query = path.split("?", 1)
    d, kid, sig = cert.payload, cert.key.kid, cert.signature
    body = json.loads(codec.b64d(d))
    out = {}
    for i, name in enumerate(["version", "serial", "season", "award", "holder", "title", "date"]):
        changed = list(body)
        changed[i] = {0: 2, 1: cert.serial[:-1] + "9", 2: body[2] + 1, 3: "special" if body[3] != "special" else "first",
                      4: body[4] + "甲", 5: body[5] + "乙", 6: "20300101"}[i]
        nd = codec.b64e(json.dumps(changed, ensure_ascii=False, separators=(",", ":")).encode())
        out[f"{name} changed"] = f"{base}?d={nd}&k={kid}&sig={sig}"
    other_season = cert.serial.replace(f"-{cert.season_id}-", f"-{cert.season_id + 1}-")
    out.update({
        "forged signature": f"{base}?d={d}&k={kid}&sig={'A' * 86}",
        "truncated signature": f"{base}?d={d}&k={kid}&sig={sig[:40]}",
        "unknown key": f"{base}?d={d}&k=deadbeef&sig={sig}",
        "serial of another season": f"/verify/{other_season}?{query}",
        "unknown serial without query": "/verify/WX2026-99-99999",
        "serial malformed": "/verify/%E4%B8%AD%00'--",
        "query repeated": f"{path}&d={d}",
        "query garbage": f"{base}?d=%ZZ&k=&sig=;;;&&&",
        "query huge": f"{base}?d={'A' * 20000}&k={kid}&sig={sig}",
        "payload not JSON": f"{base}?d={codec.b64e(b'not json')}&k={kid}&sig={sig}",
    })
    return out


def test_every_kind_of_bad_input_is_invalid_never_a_500(client, world):
    for case, path in _variants(world).items():
        page = client.get(path)
        api = client.get(_api(path)) if path.startswith("/verify/") else None
        assert page.status_code in (200, 404), (case, page.status_code)
        assert 'data-status="valid"' not in page.get_data(as_text=True), case
        if api is not None and api.status_code != 404:
            assert api.status_code == 200 and api.get_json()["status"] == "invalid", (case, api.get_json())


def test_revoked_is_410_with_reason_and_date_and_only_a_city_admin_revokes(client, world):
    serial = world["cert"].serial
    county = login(client, "cert-county")["token"]
    denied = client.post(f"/api/v1/admin/certificates/{serial}/revoke", json={"reason": "经复核不符合条件"},
                         headers=auth_header(county))
    assert denied.status_code == 403 and denied.get_json()["error"]["code"] == "city_admin_only"
    admin = login(client, "cert-city")["token"]
    empty = client.post(f"/api/v1/admin/certificates/{serial}/revoke", json={"reason": " "},
                        headers=auth_header(admin))
    assert empty.status_code == 400 and "原因" in empty.get_json()["error"]["message"]
    done = client.post(f"/api/v1/admin/certificates/{serial}/revoke", json={"reason": "经复核，项目不符合申报条件"},
                       headers=auth_header(admin))
    assert done.status_code == 200 and done.get_json()["status"] == "revoked"
    again = client.post(f"/api/v1/admin/certificates/{serial}/revoke", json={"reason": "再撤一次"},
                        headers=auth_header(admin))
    assert again.status_code == 409
    res = client.get(_api(world["path"]))
    body = res.get_json()
    assert res.status_code == 410 and body["status"] == "revoked"
    assert body["revoked"]["reason"] == "经复核，项目不符合申报条件" and body["revoked"]["revoked_at"]
    page = client.get(world["path"])
    assert page.status_code == 410 and "证书已撤销" in page.get_data(as_text=True)
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "certificate_revoked"))
    assert audit.actor_id == world["admin"].id and audit.reason == "经复核，项目不符合申报条件"
    unknown = client.post("/api/v1/admin/certificates/WX2026-1-99999/revoke", json={"reason": "不存在的"},
                          headers=auth_header(admin))
    assert unknown.status_code == 404


def test_public_keys_and_the_signed_revocation_list(client, world):
    keys = client.get("/.well-known/wx-certificate-keys.json").get_json()
    assert keys["keys"][0]["kid"] == world["cert"].key.kid and keys["keys"][0]["valid_from"]
    assert codec.verify_url(world["url"], keys).status == "valid"
    listing = client.get("/.well-known/wx-certificate-revocations.json").get_json()
    assert listing["revoked"] == [] and codec.verify_document(listing, keys)
    admin = login(client, "cert-city")["token"]
    client.post(f"/api/v1/admin/certificates/{world['cert'].serial}/revoke", json={"reason": "弄虚作假"},
                headers=auth_header(admin))
    listing = client.get("/.well-known/wx-certificate-revocations.json").get_json()
    assert [r["serial"] for r in listing["revoked"]] == [world["cert"].serial]
    result = codec.verify_url(world["url"], keys, listing)
    assert result.status == "revoked" and result.revoked["reason"] == "弄虚作假"


def test_verification_is_rate_limited_per_client(client, world, app, monkeypatch):
    monkeypatch.setattr(verify.time, "time", lambda: 1_800_000_015.0)     # one window throughout
    monkeypatch.setitem(app.config, "CERT_VERIFY_PER_MINUTE", 5)
    mine = [client.get(_api(world["path"])).status_code for _ in range(7)]
    other = client.get(_api(world["path"]), environ_base={"REMOTE_ADDR": "10.9.9.9"})
    page = client.get(world["path"])
    refused = client.get(_api(world["path"]))
    limited = refused.get_json()
    assert mine == [200] * 5 + [429] * 2
    assert other.status_code == 200                        # another client is not slowed
    assert page.status_code == 429 and "频繁" in page.get_data(as_text=True)
    assert limited["error"]["code"] == "rate_limited" and "频繁" in limited["error"]["message"]
    # 15 s into the minute: the window ends in 45 s
    assert page.headers["Retry-After"] == refused.headers["Retry-After"] == "45"
    monkeypatch.setattr(verify.time, "time", lambda: 1_800_000_060.0)     # the next minute
    assert client.get(_api(world["path"])).status_code == 200


def test_a_holder_lists_and_downloads_their_certificates(client, world):
    token = login(client, "cert-holder")["token"]
    mine = client.get("/api/v1/me/certificates", headers=auth_header(token)).get_json()["certificates"]
    assert [c["serial"] for c in mine] == [world["cert"].serial] and mine[0]["status"] == "valid"
    assert urlsplit(mine[0]["verify_url"]).path == f"/verify/{world['cert'].serial}"
    png = client.get(mine[0]["downloads"]["png"], headers=auth_header(token))
    pdf = client.get(mine[0]["downloads"]["pdf"], headers=auth_header(token))
    assert png.status_code == 200 and png.mimetype == "image/png" and png.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data[:5] == b"%PDF-"
    other = login(client, "cert-county")["token"]
    assert client.get("/api/v1/me/certificates", headers=auth_header(other)).get_json()["certificates"] == []
    assert client.get(mine[0]["downloads"]["pdf"], headers=auth_header(other)).status_code == 404
    assert client.get(mine[0]["downloads"]["pdf"]).status_code == 401
    bad = client.get(f"/api/v1/me/certificates/{world['cert'].serial}/file?format=doc", headers=auth_header(token))
    assert bad.status_code == 400 and "pdf" in bad.get_json()["error"]["message"]


def test_the_open_badges_download_verifies_with_an_independent_implementation(client, world):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from openbadgeslib.ob3.verifier import OB3Verifier, OB3VerificationError

    token = login(client, "cert-holder")["token"]
    mine = client.get("/api/v1/me/certificates", headers=auth_header(token)).get_json()["certificates"]
    res = client.get(mine[0]["downloads"]["openbadge"], headers=auth_header(token))
    assert res.status_code == 200 and res.mimetype == "application/vc+jwt"
    jwt_text = res.get_data(as_text=True)
    published = client.get("/.well-known/wx-certificate-keys.json").get_json()["keys"][0]
    public = Ed25519PublicKey.from_public_bytes(codec.b64d(published["x"]))
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    credential = OB3Verifier(pem).verify(jwt_text)
    assert credential.achievement.name.endswith("一等奖") and credential.issuer.id == "http://127.0.0.1:8000"
    assert credential.id.endswith(f"/verify/{world['cert'].serial}")
    head, body, sig = jwt_text.split(".")
    forged = codec.b64e(codec.b64d(body).replace("一等奖".encode(), "特等奖".encode()))
    with pytest.raises(OB3VerificationError):
        OB3Verifier(pem).verify(f"{head}.{forged}.{sig}")
    admin = login(client, "cert-city")["token"]
    client.post(f"/api/v1/admin/certificates/{world['cert'].serial}/revoke", json={"reason": "撤销测试"},
                headers=auth_header(admin))
    for fmt in ("openbadge", "pdf", "png"):                  # a withdrawn certificate is not handed out
        refused = client.get(mine[0]["downloads"][fmt], headers=auth_header(token))
        assert refused.status_code == 409 and "撤销" in refused.get_json()["error"]["message"]


def test_honest_checks_cost_no_redis_round_trip_and_a_flood_is_held_near_the_limit(ctx, monkeypatch):
    calls = []
    real = verify.redis_client

    def counting():
        calls.append(1)
        return real()
    monkeypatch.setattr(verify, "redis_client", counting)
    monkeypatch.setattr(verify.time, "time", lambda: 1_800_000_000.0)
    assert all(verify.allow("203.0.113.7", limit=60) for _ in range(3)) and calls == []   # a person scanning
    allowed = sum(verify.allow("203.0.113.8", limit=100) for _ in range(300))           # a script
    assert 100 <= allowed <= 100 + verify.SYNC_EVERY
    assert len(calls) < 300 // 2                    # counted in batches, refused locally once over
    other_process = {}                               # a second process shares the Redis count
    monkeypatch.setattr(verify, "_counts", other_process)
    assert sum(verify.allow("203.0.113.8", limit=100) for _ in range(20)) <= verify.SYNC_EVERY


def test_the_public_results_announcement_lists_winners_by_award_with_verify_links(client, world):
    from server.services.certificates.announce import season_results
    season_id = world["entry"].season_id
    other = make_awarded(world["holder"], "special", season=world["entry"].season, title="井下巷道照明节能改造")
    db.session.commit()
    extra = issue.issue_for_entry(other.id)
    res = client.get(f"/seasons/{season_id}/results")
    page = res.get_data(as_text=True)
    assert res.status_code == 200 and "获奖名单" in page
    assert page.index("特等奖（1 项）") < page.index("一等奖（1 项）")      # by award, highest first, counted
    assert "井下巷道照明节能改造" in page and "晋城示范煤机制造有限公司" in page and "13912345678" not in page
    data = season_results(season_id, "http://localhost")
    link = data["awards"][0]["winners"][0]["verify_url"]
    assert data["awards"][0]["award"] == "special" and link == issue.url_for(extra, "http://localhost")
    assert client.get(link[len("http://localhost"):]).status_code == 200
    admin = login(client, "cert-city")["token"]
    client.post(f"/api/v1/admin/certificates/{extra.serial}/revoke", json={"reason": "重复申报"},
                headers=auth_header(admin))
    assert "井下巷道照明节能改造" not in client.get(f"/seasons/{season_id}/results").get_data(as_text=True)
    missing = client.get("/seasons/999999/results")
    assert missing.status_code == 404


def test_checks_leave_the_pooled_connections_transactional(client, world):
    """The register is read with autocommit on (no BEGIN/ROLLBACK round trips); the connection
    must go back to the pool as it came, or a later request's rollback would undo nothing."""
    for _ in range(3):
        assert client.get(_api(world["path"])).get_json()["status"] == "valid"
    serial = world["cert"].serial
    pooled = [db.engine.connect() for _ in range(db.engine.pool.checkedin())]   # every idle one
    assert pooled
    try:
        for conn in pooled:
            conn.execute(update(Certificate).where(Certificate.serial == serial).values(holder_name="改过的"))
            conn.rollback()
    finally:
        for conn in pooled:
            conn.close()
    db.session.expire_all()
    assert db.session.scalar(select(Certificate.holder_name).where(Certificate.serial == serial)) == "张建国"
    assert client.get(_api(world["path"])).get_json()["certificate"]["holder"] == "张建国"


def test_a_lost_database_connection_answers_503_once_then_checks_again(client, world):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs a database server")
    assert client.get(_api(world["path"])).status_code == 200
    # The test's own session (the fixture's app context, which the client's requests share)
    # lets go of its connection, as a request's session in production has none to begin with.
    db.session.close()
    kill_database_connections()
    statuses = []
    for _ in range(3):
        res = client.get(_api(world["path"]))
        statuses.append(res.status_code)
        if res.status_code == 503:
            assert res.get_json()["error"]["code"] == "database_unavailable"
    # The dead connection is found, not hidden; the pool's other (dead) idle ones go with it.
    assert statuses == [503, 200, 200], statuses
    fresh_pools()


def test_a_remembered_valid_signature_lets_no_altered_url_through(client, world, monkeypatch):
    """A URL verified once is not verified again by this process; any other URL still is, and
    reading the keys again forgets what was remembered."""
    monkeypatch.setattr(verify, "_valid_signatures", {})
    checked = []
    real = codec.check_signature
    monkeypatch.setattr(codec, "check_signature", lambda *a: checked.append(a[:2]) or real(*a))
    api = _api(world["path"])
    for _ in range(3):
        assert client.get(api).get_json()["status"] == "valid"
    assert len(checked) == 1
    for case, path in _variants(world).items():          # the genuine one is remembered meanwhile
        if path.startswith("/verify/"):
            res = client.get(_api(path))
            assert res.status_code == 404 or res.get_json()["status"] == "invalid", case
    assert client.get(api).get_json()["status"] == "valid"
    assert len(verify._valid_signatures) == 1
    verify._keys_cache["keys"] = []                       # as when a token names a key not yet read
    verify._keys(world["cert"].key.kid)
    assert verify._valid_signatures == {}
    before = len(checked)
    assert client.get(api).get_json()["status"] == "valid" and len(checked) == before + 1
