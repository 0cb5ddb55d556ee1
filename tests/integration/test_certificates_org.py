"""Issue 17 item 1 for units: a winning unit (优胜单位) and an organisation-award winner (优秀组织奖)
get a certificate naming the unit — no entry title — through the one function the awards code
calls (issue_for_org_award, here through the factory make_unit_award). Idempotent; the signed
payload says which kind of holder it is (the award, the U/Z serial); render, scan back and verify
it online and offline; the announcement lists the units."""
from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image
from sqlalchemy import func, select

from server.errors import NotFound, ValidationError
from server.extensions import db
from server.models import Certificate, OutboxEvent, User
from server.services.certificates import announce, codec, issue, render, verify
from server.wechat.sandbox import openid_for_code
from tests.factories import make_awarded, make_org, make_season, make_tree, make_unit_award, make_user
from tests.helpers import auth_header, login
from tests.qr import read_one_qr

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(autouse=True)
def fresh_rate_counts(monkeypatch):
    monkeypatch.setattr(verify, "_counts", {})


@pytest.fixture()
def unit_awards(ctx):
    tree = make_tree(unit="山西晋城无烟煤矿业集团有限责任公司寺河矿机电动力部")
    admin = make_user("赵刚", ("unit_admin", tree.unit))
    season = make_season(name="2026年度竞赛")
    db.session.commit()
    return tree, admin, season


def test_a_units_award_is_issued_once_naming_the_unit(unit_awards):
    tree, admin, season = unit_awards
    win = make_unit_award(season, tree.unit, "winning_unit", notify=admin)
    again = make_unit_award(season, tree.unit, "winning_unit", notify=admin)
    org = make_unit_award(season, tree.county, "organisation")
    assert win.id == again.id and db.session.scalar(select(func.count(Certificate.id))) == 2
    assert win.serial == f"WX{season.year}-{season.id}-U{tree.unit.id:05d}"
    assert org.serial == f"WX{season.year}-{season.id}-Z{tree.county.id:05d}"
    assert (win.holder_kind, win.holder_org_id, win.holder_name, win.title, win.entry_id) == \
        ("org", tree.unit.id, tree.unit.name, "", None)
    assert win.holder_user_id == admin.id and org.holder_user_id is None
    payload = codec.Payload.decode(win.payload)
    assert (payload.award, payload.holder, payload.title) == ("winning_unit", codec.shorten(tree.unit.name, 20), "")
    events = db.session.scalars(select(OutboxEvent).where(OutboxEvent.kind == "certificate_issued")).all()
    assert sorted(e.payload["certificate_id"] for e in events) == sorted([win.id, org.id])


@pytest.mark.parametrize("award, error", [("first", ValidationError), ("unit", ValidationError), ("", ValidationError),
                                          (None, ValidationError)])
def test_only_a_units_award(unit_awards, award, error):
    tree, _, season = unit_awards
    with pytest.raises(error) as caught:
        issue.issue_for_org_award(season.id, tree.unit.id, award)
    assert "winning_unit" in caught.value.message
    assert db.session.scalar(select(func.count(Certificate.id))) == 0


def test_unknown_season_or_unit(unit_awards):
    tree, _, season = unit_awards
    with pytest.raises(NotFound):
        issue.issue_for_org_award(season.id + 99, tree.unit.id, "winning_unit")
    with pytest.raises(NotFound):
        issue.issue_for_org_award(season.id, 987654, "organisation")


def _decode(image: Image.Image) -> str:
    return read_one_qr(image)


def test_render_scan_back_and_verify_a_units_certificate(client, unit_awards, tmp_path, app):
    tree, admin, season = unit_awards
    cert = make_unit_award(season, tree.unit, "winning_unit", notify=admin)
    ARTIFACTS.mkdir(exist_ok=True)
    png, pdf = render.png(cert), render.pdf(cert)
    (ARTIFACTS / "certificate-unit.png").write_bytes(png)
    page = pdfium.PdfDocument(pdf)[0].render(scale=150 / 72).to_pil()
    page.save(ARTIFACTS / "certificate-unit-pdf-page.png")
    text = pdfium.PdfDocument(pdf)[0].get_textpage().get_text_range()
    assert tree.unit.name in text and "被评为" in text and "优胜单位" in text and "主持完成" not in text
    keys = tmp_path / "keys.json"
    keys.write_text(client.get("/.well-known/wx-certificate-keys.json").get_data(as_text=True), encoding="utf-8")
    for decoded in (_decode(Image.open(io.BytesIO(png))), _decode(page)):
        path = decoded.split("://", 1)[1]
        path = path[path.index("/"):]
        body = client.get(path.replace("/verify/", "/api/v1/certificates/", 1)).get_json()
        assert body["status"] == "valid" and body["certificate"]["award_label"] == "优胜单位"
        assert body["certificate"]["holder"] == tree.unit.name and body["certificate"]["title"] == ""
        out = subprocess.run([sys.executable, str(ROOT / "scripts" / "verify_certificate.py"), decoded, "--keys",
                              str(keys)], capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stdout
    phone = client.get(path)
    assert phone.status_code == 200 and tree.unit.name in phone.text and "项目名称" not in phone.text


def test_a_units_payload_cannot_pass_for_a_persons(unit_awards):
    """The award, the serial's letter and the empty title agree, or the payload is malformed."""
    tree, _, season = unit_awards
    day = make_unit_award(season, tree.unit).issued_on
    base = dict(season_id=season.id, holder="某单位", issued_on=day)
    unit_serial, entry_serial = f"WX2026-{season.id}-U00012", f"WX2026-{season.id}-00012"
    cases = [
        (dict(serial=unit_serial, award="winning_unit", title=""), True),
        (dict(serial=f"WX2026-{season.id}-Z00012", award="organisation", title=""), True),
        (dict(serial=unit_serial + "R1", award="winning_unit", title=""), True),
        (dict(serial=unit_serial, award="organisation", title=""), False),        # U is the winning unit's
        (dict(serial=unit_serial, award="first", title="某项目"), False),         # a person's award on a unit serial
        (dict(serial=entry_serial, award="winning_unit", title=""), False),       # a unit's award on an entry serial
        (dict(serial=unit_serial, award="winning_unit", title="某项目"), False),  # a unit's certificate has no title
    ]
    for fields, ok in cases:
        d = codec.Payload(**base, **fields).encode()
        if ok:
            assert codec.Payload.decode(d).serial == fields["serial"]
        else:
            with pytest.raises(ValueError):
                codec.Payload.decode(d)


def test_the_announcement_lists_units_after_entries(client, unit_awards):
    tree, admin, season = unit_awards
    entry = make_awarded(make_user("李梅", ("participant", tree.unit)), "first", season=season)
    db.session.commit()
    issue.issue_for_entry(entry.id)
    make_unit_award(season, tree.unit, "winning_unit")
    make_unit_award(season, tree.county, "organisation")
    data = announce.season_results(season.id, "https://wx.example.cn")
    assert [g["award"] for g in data["awards"]] == ["first", "winning_unit", "organisation"]
    assert data["total"] == 1 and data["units"] == 2
    page = client.get(f"/seasons/{season.id}/results")
    assert "优胜单位" in page.text and "优秀组织奖" in page.text and tree.county.name in page.text
    assert "另有 2 个单位" in page.text


def test_a_long_unit_name_stays_inside_the_frame(unit_awards):
    tree, _, season = unit_awards
    tree.unit.name = "山西省晋城市泽州县巴公镇某某新材料科技股份有限公司第二分公司综合机械化采煤工作面维修保障中心"[:50]
    db.session.commit()
    cert = make_unit_award(season, tree.unit, "organisation")
    placed = []

    class Recorder:
        def __init__(self):
            self.inner = render.PdfSurface()

        def __getattr__(self, name):
            return getattr(self.inner, name)

        def text(self, x, y, text, size, color):
            placed.append((x, x + self.inner.measure(text, size), text))

    render.compose(Recorder(), render.facts(cert))
    assert any(tree.unit.name in t for _, _, t in placed)
    for left, right, text in placed:
        assert 14 < left and right < 297 - 14, text


def _serials(client, token) -> dict[str, dict]:
    res = client.get("/api/v1/me/certificates", headers=auth_header(token))
    assert res.status_code == 200, res.get_json()
    return {c["serial"]: c for c in res.get_json()["certificates"]}


HOLDERS = [   # (account, the certificates it lists and downloads) — issue 17 item 7: a unit's is its admins'
    ("filer", {"unit"}),                       # the admin who filed (told at issue)
    ("colleague", {"unit", "own"}),            # another admin of the unit, with a certificate of their own
    ("county", {"county"}),                    # the county's 优秀组织奖, issued before anyone was named
    ("team_admin", set()),                     # an admin below the unit holds not the unit's
    ("other_unit", set()),                     # an admin beside it
    ("participant", set()),                    # a member of the unit, no admin
]


@pytest.mark.parametrize("who, holds", HOLDERS)
def test_every_admin_of_the_holding_unit_lists_and_downloads_its_certificate(client, unit_awards, who, holds):
    tree, filer, season = unit_awards
    other = make_org("晋城蓝天新材料科技有限公司", "unit", tree.county, unit_type="private", system="union")
    filer.openid = openid_for_code("c-filer")           # every account logs in as c-<who>
    for name, (key, role, org) in {"钱敏": ("colleague", "unit_admin", tree.unit),
                                   "县总": ("county", "county_admin", tree.county),
                                   "孙班长": ("team_admin", "unit_admin", tree.team),
                                   "李总": ("other_unit", "unit_admin", other),
                                   "周工": ("participant", "participant", tree.unit)}.items():
        make_user(name, (role, org), openid=openid_for_code(f"c-{key}"))
    entry = make_awarded(db.session.scalar(select(User).where(User.openid == openid_for_code("c-colleague"))))
    db.session.commit()
    certs = {"unit": make_unit_award(season, tree.unit, "winning_unit", notify=filer),
             "county": make_unit_award(season, tree.county, "organisation"),
             "own": issue.issue_for_entry(entry.id)}
    token = login(client, f"c-{who}")["token"]
    listed = _serials(client, token)
    assert set(listed) == {certs[k].serial for k in holds}
    for key, cert in certs.items():
        if key in holds:
            item = listed[cert.serial]
            unit = {"id": cert.holder_org_id, "name": cert.holder_name} if key != "own" else None
            assert (item["holder_kind"], item["unit"]) == ("person" if key == "own" else "org", unit)
            pdf = client.get(item["downloads"]["pdf"], headers=auth_header(token))
            assert pdf.status_code == 200 and pdf.data[:5] == b"%PDF-"
            continue
        refused = client.get(f"/api/v1/me/certificates/{cert.serial}/file?format=pdf", headers=auth_header(token))
        unknown = client.get("/api/v1/me/certificates/WX2026-9-U99999/file?format=pdf", headers=auth_header(token))
        assert refused.status_code == unknown.status_code == 404          # existence not revealed
        assert refused.get_json()["error"]["message"] == unknown.get_json()["error"]["message"].replace(
            "WX2026-9-U99999", cert.serial)
