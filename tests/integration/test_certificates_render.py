"""Issue, render, scan back: the QR code is decoded (zxing-cpp) from the PNG and from the PDF's
page rendered to an image (pypdfium2), and the decoded URL verifies over HTTP and with the offline
commands. The PNG is at least 150 dpi and under 1 MB; the PDF is one A4 landscape page with the
CJK font embedded. The renders are kept in test-artifacts/ to look at."""
from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from click.testing import CliRunner
from PIL import Image
from sqlalchemy import select

from server.extensions import db
from server.models import Organisation
from server.services.certificates import issue, render, verify
from server.wechat.sandbox import openid_for_code
from tests.factories import make_awarded, make_season, make_tree, make_user
from tests.helpers import auth_header, login
from tests.qr import read_one_qr

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
LONG_TITLE = "基于物联网与机器视觉的综采工作面刮板输送机链条断链、跳链实时监测预警及自动停机保护装置的研制与推广应用"


def _decode(image: Image.Image) -> str:
    return read_one_qr(image)


def _pdf_page_image(data: bytes, dpi: int = 150) -> tuple[Image.Image, tuple[float, float]]:
    doc = pdfium.PdfDocument(data)
    assert len(doc) == 1
    page = doc[0]
    return page.render(scale=dpi / 72).to_pil(), page.get_size()



@pytest.fixture(autouse=True)
def fresh_rate_counts(monkeypatch):
    """Each process keeps its clients' counts between Redis syncs; tests start from none."""
    monkeypatch.setattr(verify, "_counts", {})

@pytest.fixture()
def issued(ctx):
    tree = make_tree()
    user = make_user("欧阳建国", ("participant", tree.unit))
    season = make_season(name="2026年晋城市职工“五小”竞赛", settings={"certificate.issuers": [
        {"name": "晋城市总工会"}, {"name": "共青团晋城市委员会"}, {"name": "晋城市科学技术协会"}]})
    short = make_awarded(user, "special", season=season)
    long = make_awarded(user, "excellent", season=season, title=LONG_TITLE)
    db.session.commit()
    return [issue.issue_for_entry(short.id), issue.issue_for_entry(long.id)]


def _offline(url: str, keys: Path, *extra: str) -> tuple[int, dict]:
    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "verify_certificate.py"), url, "--keys", str(keys),
                          *extra], capture_output=True, text=True, timeout=60)
    return out.returncode, json.loads(out.stdout)


def test_render_scan_back_and_verify_end_to_end(client, issued, tmp_path, app):
    ARTIFACTS.mkdir(exist_ok=True)
    keys = tmp_path / "keys.json"
    keys.write_text(client.get("/.well-known/wx-certificate-keys.json").get_data(as_text=True), encoding="utf-8")
    for name, cert in zip(("short", "long"), issued):
        png, pdf = render.png(cert), render.pdf(cert)
        (ARTIFACTS / f"certificate-{name}.png").write_bytes(png)
        (ARTIFACTS / f"certificate-{name}.pdf").write_bytes(pdf)
        image = Image.open(io.BytesIO(png))
        assert len(png) < 1024 * 1024 and image.info["dpi"][0] >= 150 and image.width > image.height
        assert image.width / 297 * 25.4 >= 150                     # really that many pixels per inch of A4
        page, size = _pdf_page_image(pdf)
        page.save(ARTIFACTS / f"certificate-{name}-pdf-page.png")
        assert abs(size[0] - 841.89) < 1 and abs(size[1] - 595.28) < 1       # A4 landscape, in points
        assert b"/FontFile3" in pdf or b"/FontFile2" in pdf                  # the font is embedded
        assert b"/Subtype /Image" not in pdf                                  # vector: no raster inside
        expected = issue.url_for(cert, app.config["PUBLIC_BASE_URL"])
        for decoded in (_decode(image), _decode(page)):
            assert decoded == expected
            path = decoded.split("://", 1)[1]
            path = path[path.index("/"):]
            over_http = client.get(path.replace("/verify/", "/api/v1/certificates/", 1)).get_json()
            assert over_http["status"] == "valid" and over_http["serial"] == cert.serial
            assert _offline(decoded, keys)[0] == 0
        assert len(expected) < 400


def test_the_page_text_is_chinese_and_long_titles_stay_inside_the_frame(issued):
    class Recorder:
        """A surface that measures like the PDF one and records where text goes."""
        def __init__(self):
            self.inner = render.PdfSurface()
            self.texts = []

        def __getattr__(self, name):
            return getattr(self.inner, name)

        def text(self, x, y, text, size, color):
            self.texts.append((x, x + self.inner.measure(text, size), text))

    recorded = []
    for cert in issued:
        rec = Recorder()
        render.compose(rec, render.facts(cert))
        joined = "".join(t for _, _, t in rec.texts)
        assert "荣誉证书" in joined and "欧阳建国" in joined and "晋城市总工会" in joined and cert.serial in joined
        inner_frame = 14
        for left, right, text in rec.texts:
            assert inner_frame < left and right < 297 - inner_frame, text
        recorded.append(rec.texts)
    body = [t for _, _, t in recorded[1] if "链" in t or "应用" in t]
    assert len(body) >= 2 and LONG_TITLE in "".join(body).replace("　", "")     # wrapped, not cut


def test_offline_commands_know_revoked_and_tampered(client, issued, tmp_path, app):
    cert = issued[0]
    url = issue.url_for(cert, app.config["PUBLIC_BASE_URL"])
    city = db.session.scalar(select(Organisation).where(Organisation.name == "晋城市"))
    make_user("市总", ("city_admin", city), openid=openid_for_code("render-city"))
    db.session.commit()
    token = login(client, "render-city")["token"]
    assert client.post(f"/api/v1/admin/certificates/{cert.serial}/revoke", json={"reason": "重复授奖"},
                       headers=auth_header(token)).status_code == 200
    keys, revs = tmp_path / "keys.json", tmp_path / "revocations.json"
    keys.write_text(client.get("/.well-known/wx-certificate-keys.json").get_data(as_text=True), encoding="utf-8")
    revs.write_text(client.get("/.well-known/wx-certificate-revocations.json").get_data(as_text=True), encoding="utf-8")
    assert _offline(url, keys)[0] == 0                               # without the list it cannot know
    code, out = _offline(url, keys, "--revocations", str(revs))
    assert code == 1 and out["status"] == "revoked" and out["revoked"]["reason"] == "重复授奖"
    tampered = url.replace("&k=", "A&k=", 1)
    assert _offline(tampered, keys)[0] == 2
    runner = CliRunner()
    res = runner.invoke(app.cli, ["certificates", "verify", url, "--keys", str(keys), "--revocations", str(revs)])
    assert res.exit_code == 1 and "revoked" in res.output and "重复授奖" in res.output
    res = runner.invoke(app.cli, ["certificates", "verify", issue.url_for(issued[1], "https://x.cn"), "--keys", str(keys)])
    assert res.exit_code == 0 and "status: valid" in res.output and "欧阳建国" in res.output


@pytest.mark.parametrize("holder", ["欧阳建国", "王喆", "𬌗晓燕"])     # common; outside GB 2312; outside the BMP
def test_every_character_of_a_name_is_in_the_pdf_text_never_a_box(ctx, holder):
    tree = make_tree()
    user = make_user(holder, ("participant", tree.unit))
    entry = make_awarded(user, "third")
    db.session.commit()
    cert = issue.issue_for_entry(entry.id)
    page = pdfium.PdfDocument(render.pdf(cert))[0]
    text = page.get_textpage().get_text_range()
    assert f"{holder} 同志" in text and "三等奖" in text


def test_seal_images_from_the_season_setting_and_a_broken_one_falls_back_to_a_drawn_seal(ctx, tmp_path):
    seal = tmp_path / "seal.png"
    image = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    from PIL import ImageDraw
    ImageDraw.Draw(image).ellipse([10, 10, 290, 290], outline=(212, 42, 42, 255), width=14)
    image.save(seal)
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not an image")
    tree = make_tree()
    user = make_user("李梅", ("participant", tree.unit))
    season = make_season(settings={"certificate.title": "晋城市职工技术创新竞赛", "certificate.issuers": [
        {"name": "晋城市总工会", "seal": str(seal)}, {"name": "晋城市科学技术协会", "seal": str(broken)}]})
    entry = make_awarded(user, "second", season=season)
    db.session.commit()
    cert = issue.issue_for_entry(entry.id)
    pdf = render.pdf(cert)
    assert b"/Subtype /Image" in pdf                                   # the seal image, once
    text = pdfium.PdfDocument(pdf)[0].get_textpage().get_text_range()
    assert "晋城市职工技术创新竞赛" in text and "晋城市科学技术协会" in text
    png = Image.open(io.BytesIO(render.png(cert))).convert("RGB")
    assert _decode(png) == issue.url_for(cert, ctx.config["PUBLIC_BASE_URL"])
