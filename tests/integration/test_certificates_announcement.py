"""Issue 17 item 8: the results announcement (通报) as a printable PDF (A4 portrait, CJK font
embedded) and a .docx, generated from the same data as the public page, with the issuing
bodies' signature blocks and the date; downloadable from the public page and the console.
The PDF's pages are rendered (pypdfium2) into test-artifacts/ to look at."""
from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pypdfium2 as pdfium
from docx import Document
from sqlalchemy import select

from server.extensions import db
from server.models import Organisation, User
from server.services.certificates import announce_doc, issue
from tests.factories import make_awarded, make_unit_award

from .console import desk_login

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
ISSUERS = [{"name": "晋城市总工会"}, {"name": "共青团晋城市委员会"}, {"name": "晋城市科学技术协会"}]
LONG = "基于物联网与机器视觉的综采工作面刮板输送机链条断链、跳链实时监测预警及自动停机保护装置的研制与推广应用"


def _released(seeded, n: int = 12):
    season = seeded["demo_season"]
    season.settings = {**(season.settings or {}), "certificate.issuers": ISSUERS}
    participant = db.session.scalar(select(User).where(User.name == "张建国"))
    awards = ("special", "first", "second", "third", "excellent")
    entries = [make_awarded(participant, awards[i % 5], season=season, title=(LONG if i == 3 else f"第{i}号矿用绞车改进"))
               for i in range(n)]
    db.session.commit()
    for e in entries:
        issue.issue_for_entry(e.id)
    unit = db.session.get(Organisation, entries[0].unit_id)
    make_unit_award(season, unit, "winning_unit")
    make_unit_award(season, unit.parent, "organisation")
    return season, entries, unit


def _pdf_text(data: bytes) -> str:
    doc = pdfium.PdfDocument(data)
    return "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))


def test_the_announcement_pdf_and_docx_hold_the_results_and_signature_lines(client, seeded):
    season, entries, unit = _released(seeded)
    res = client.get(f"/seasons/{season.id}/results.pdf")
    assert res.status_code == 200 and res.mimetype == "application/pdf"
    assert "filename*=UTF-8''" in res.headers["Content-Disposition"]
    data = res.data
    doc = pdfium.PdfDocument(data)
    w, h = doc[0].get_size()
    assert abs(w - 595.28) < 1 and abs(h - 841.89) < 1                  # A4 portrait, in points
    assert b"/FontFile" in data                                          # the CJK font embedded
    ARTIFACTS.mkdir(exist_ok=True)
    for i in range(len(doc)):
        doc[i].render(scale=110 / 72).to_pil().save(ARTIFACTS / f"announcement-page{i + 1}.png")
    text = _pdf_text(data).replace("\r", "").replace("\n", "")
    assert f"关于公布{season.name}获奖名单的通报" in text
    for e in entries:
        assert e.title[:10] in text
    assert "矿用绞车改进" in text and "张建国" in text and unit.name in text and unit.parent.name in text
    assert "优胜单位" in text and "优秀组织奖" in text and "一、特等奖" in text
    for issuer in ISSUERS:
        assert issuer["name"] in text
    assert text.count("负责人签字") == 3 and text.count("（盖章）") == 3 and "年" in text and "特此通报" in text
    docx = client.get(f"/seasons/{season.id}/results.docx")
    assert docx.status_code == 200
    word = Document(io.BytesIO(docx.data))
    paragraphs = "\n".join(p.text for p in word.paragraphs)
    cells = [c.text for t in word.tables for row in t.rows for c in row.cells]
    assert f"关于公布{season.name}获奖名单的通报" in paragraphs and "特此通报" in paragraphs
    assert LONG in cells and unit.name in cells and unit.parent.name in cells
    assert [c for c in cells if c.startswith("负责人签字")] and sum(1 for c in cells if c == "（盖章）") == 3
    assert [i["name"] for i in ISSUERS] == [c for c in cells if c in {i["name"] for i in ISSUERS}]
    assert word.tables[0].rows[0].cells[1].text == "项目名称"
    headings = [p.text for p in word.paragraphs if "（" in p.text and p.text.endswith(("项）", "个）"))]
    assert headings[0].startswith("一、特等奖") and headings[-1].startswith("七、优秀组织奖")
    page = client.get(f"/seasons/{season.id}/results")
    assert f'href="/seasons/{season.id}/results.pdf"' in page.text and f'href="/seasons/{season.id}/results.docx"' in page.text


def test_the_console_downloads_the_same_documents(client, seeded):
    season, _, _ = _released(seeded, 3)
    desk_login(client, "demo-city-admin")
    page = client.get(f"/console/certificates?season={season.id}")
    assert f"/console/seasons/{season.id}/results.pdf" in page.text
    for fmt in ("pdf", "docx"):
        mine = client.get(f"/console/seasons/{season.id}/results.{fmt}")
        public = client.get(f"/seasons/{season.id}/results.{fmt}")
        assert mine.status_code == 200 and mine.data == public.data      # one document, kept once
    assert client.get(f"/console/seasons/{season.id}/results.txt").status_code == 404


def test_no_results_yet_and_unknown_season(client, seeded):
    season = seeded["demo_season"]
    res = client.get(f"/seasons/{season.id}/results.docx")
    assert res.status_code == 200
    assert "尚未发布" in "\n".join(p.text for p in Document(io.BytesIO(res.data)).paragraphs)
    missing = client.get("/seasons/999999/results.pdf")
    assert missing.status_code == 404 and "没有这个赛季" in missing.get_data(as_text=True)


def test_the_document_changes_with_the_data_and_the_date(ctx, seeded):
    season, entries, _ = _released(seeded, 2)
    base = "https://wx.example.cn"
    one, _ = announce_doc.document(season.id, "docx", base, date(2026, 12, 1))
    same, _ = announce_doc.document(season.id, "docx", base, date(2026, 12, 1))
    later, _ = announce_doc.document(season.id, "docx", base, date(2026, 12, 2))
    assert one == same and later != one
    assert "2026年12月2日" in "\n".join(p.text for p in Document(str(later)).paragraphs)
