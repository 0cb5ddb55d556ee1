"""附件3 成果简介 and 附件4 项目带头人简介 per entry (issue 18 item 7): one PDF and one .docx each,
zipped for a county's recommended set, through the 附件2 sheet's job (progress, download link).
The PDF's first page is rendered to PNG (test-artifacts/profiles-annex3.png) and the .docx is
opened and read back cell by cell."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

from docx import Document
from PIL import Image
from rq import SimpleWorker

from server.extensions import db, queue
from server.models import Entry
from server.services import attachments
from server.services.review import profiles, sheet

from ..factories import make_entry, make_review_world
from ..helpers import auth_header, login
from server.wechat.sandbox import openid_for_code

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _photo() -> bytes:
    img = Image.new("RGB", (350, 490), (200, 30, 30))          # 2寸 red background
    for x in range(120, 230):
        for y in range(120, 330):
            img.putpixel((x, y), (240, 220, 200))
    out = io.BytesIO()
    img.save(out, "JPEG")
    return out.getvalue()


def _world():
    world = make_review_world()
    for key, user in world.users.items():
        user.openid = openid_for_code(f"pf-{key}")
    a = make_entry(world.users["p_cq"], status="county_recommended", season=world.season, title="皮带输送机自动纠偏装置")
    b = make_entry(world.users["p_cq"], status="accepted", season=world.season, title="液压支架/快速检修平台",
                   patent__granted=False)
    make_entry(world.users["p_cq"], status="submitted", season=world.season, title="还在单位的成果")        # not in the set
    make_entry(world.users["p_zz"], status="county_recommended", season=world.season, title="另一个县的成果")  # other county
    attachments.store(world.users["p_cq"], a, _photo(), "leader.jpg", "photo")
    db.session.commit()
    return world, a, b


def _docx_cells(content: bytes) -> dict[str, str]:
    doc = Document(io.BytesIO(content))
    cells = {}
    for table in doc.tables:
        for row in table.rows:
            texts = [c.text for c in row.cells]
            cells.setdefault(texts[0], texts[1])
    return cells


def test_one_entry_pdf_and_docx_carry_every_field(ctx):
    world, a, _ = _world()
    photo = profiles.photo_of(a)
    assert photo is not None
    pdf = profiles.entry_pdf(a, "晋城示范煤机制造有限公司", photo)
    import pypdfium2 as pdfium
    document = pdfium.PdfDocument(pdf)
    assert len(document) == 2                                # 附件3, 附件4
    text3 = document[0].get_textpage().get_text_range()
    text4 = document[1].get_textpage().get_text_range()
    assert "附件3" in text3 and "皮带输送机自动纠偏装置" in text3 and "年节约维修费8万元" in text3
    assert "ZL202021234567.2" in text3 and "填报人" in text3
    assert "附件4" in text4 and "晋城市五一劳动奖章" in text4 and "带领班组5人攻关3个月" in text4
    assert len(list(document[1].get_objects(filter=(pdfium.raw.FPDF_PAGEOBJ_IMAGE,)))) == 1    # the photo
    assert not list(document[0].get_objects(filter=(pdfium.raw.FPDF_PAGEOBJ_IMAGE,)))
    ARTIFACTS.mkdir(exist_ok=True)
    for n in (0, 1):
        document[n].render(scale=1.5).to_pil().save(ARTIFACTS / f"profiles-annex{3 + n}.png")
    cells = _docx_cells(profiles.entry_docx(a, "晋城示范煤机制造有限公司", photo))
    assert cells["项目名称"] == "皮带输送机自动纠偏装置" and cells["完成单位"] == "晋城示范煤机制造有限公司"
    assert cells["专利情况"].startswith("专利号 ZL202021234567.2，授权公告日 ")
    assert cells["姓名"] == a.leader.name and cells["性别"] == "男" and cells["出生年月"] == "1985-06"
    assert cells["最高荣誉"] == "晋城市五一劳动奖章"
    doc = Document(io.BytesIO(profiles.entry_docx(a, "x", photo)))
    assert len(doc.inline_shapes) == 1                      # the photo
    assert len(Document(io.BytesIO(profiles.entry_docx(a, "x", None))).inline_shapes) == 0


def _pdf_texts(pdf: bytes) -> list[str]:
    import pypdfium2 as pdfium
    return [page.get_textpage().get_text_range() for page in pdfium.PdfDocument(pdf)]


def _pixels(pdf: bytes) -> list[bytes]:
    import pypdfium2 as pdfium
    return [page.render(scale=1).to_pil().tobytes() for page in pdfium.PdfDocument(pdf)]


def test_two_entries_in_a_row_each_get_their_own_glyphs(ctx, monkeypatch):
    """The font is read once per process and cut per document (profile_font.py): a second
    document must carry its own characters, drawn with the same outlines as when fpdf2 reads
    the base font file itself for that one document (the way before the cut)."""
    from server.services.certificates import surfaces
    from server.services.review import profile_font
    _, a, b = _world()
    b.summary = "鹦鹉螺在蜗牛壳旁边慢慢爬行，鸵鸟看着它们。"
    b.leader.name = "欧阳鹏"
    db.session.flush()
    cut = profile_font.base_cut()
    assert cut is not None and cut.covers({ord(c) for c in b.summary + b.leader.name})
    first = profiles.entry_pdf(a, "甲单位", None)
    second = profiles.entry_pdf(b, "乙单位", None)
    a3, _ = _pdf_texts(first)
    b3, b4 = _pdf_texts(second)
    assert "皮带输送机自动纠偏装置" in a3 and "甲单位" in a3 and "鹦鹉螺" not in a3
    assert "鹦鹉螺在蜗牛壳旁边慢慢爬行" in b3 and "乙单位" in b3 and "液压支架/快速检修平台" in b3
    assert "欧阳鹏" in b4 and "皮带输送机" not in b3
    # the same document with fpdf2 reading the whole base font file: pixel for pixel the same
    monkeypatch.setattr(profile_font, "base_cut", lambda: None)
    monkeypatch.setattr(surfaces, "font_file", lambda: (surfaces.base_font()[0], 0))
    assert _pixels(profiles.entry_pdf(b, "乙单位", None)) == _pixels(second)


def test_a_county_set_zipped_through_the_sheet_job(client, ctx):
    world, a, b = _world()
    h = {k: auth_header(login(client, f"pf-{k}")["token"]) for k in ("county_cq", "county_zz")}
    body = {"org_id": world.orgs["cq"].id, "season_id": world.season.id, "format": "zip"}
    assert client.post("/api/v1/review/sheets", json=body, headers=h["county_zz"]).status_code == 403
    res = client.post("/api/v1/review/sheets", json=body, headers=h["county_cq"])
    assert res.status_code == 202, res.get_json()
    job_id = res.get_json()["job_id"]
    assert client.get(f"/api/v1/review/sheets/{job_id}/file", headers=h["county_cq"]).status_code == 404
    SimpleWorker([queue("default")], connection=queue("default").connection).work(burst=True)
    state = client.get(f"/api/v1/review/sheets/{job_id}", headers=h["county_cq"]).get_json()
    assert state["ready"] and state["progress"] == {"done": 2, "total": 2}
    download = client.get(f"/api/v1/review/sheets/{job_id}/file", headers=h["county_cq"])
    assert download.status_code == 200 and download.headers["Content-Type"] == "application/zip"
    zf = zipfile.ZipFile(io.BytesIO(download.data))
    assert sorted(zf.namelist()) == ["00001_皮带输送机自动纠偏装置.docx", "00001_皮带输送机自动纠偏装置.pdf",
                                     "00002_液压支架_快速检修平台.docx", "00002_液压支架_快速检修平台.pdf"]
    cells = _docx_cells(zf.read("00002_液压支架_快速检修平台.docx"))
    assert cells["项目名称"] == "液压支架/快速检修平台" and cells["专利情况"] == "无"
    assert zf.read("00001_皮带输送机自动纠偏装置.pdf").startswith(b"%PDF")
    # the city's accepted set holds only the accepted entry
    out = sheet.path_for("test-city.zip").with_name("city-set.zip")
    out.parent.mkdir(parents=True, exist_ok=True)
    profiles.write_zip(world.orgs["city"].id, world.season.id, "city", None, out)
    assert [n for n in zipfile.ZipFile(out).namelist() if n.endswith(".pdf")] == ["00001_液压支架_快速检修平台.pdf"]
    assert db.session.get(Entry, a.id).title == "皮带输送机自动纠偏装置"       # the session still works


def test_a_bad_format_is_named(client, ctx):
    world, _, _ = _world()
    h = auth_header(login(client, "pf-county_cq")["token"])
    res = client.post("/api/v1/review/sheets", headers=h,
                      json={"org_id": world.orgs["cq"].id, "season_id": world.season.id, "format": "pdf"})
    assert res.status_code == 400 and "format" in str(res.get_json())
