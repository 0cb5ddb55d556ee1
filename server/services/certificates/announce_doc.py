"""The results announcement (通报) as documents to print and sign: a PDF (fpdf2, A4 portrait, the
CJK font embedded as a subset) and a .docx (python-docx), both made from the same data as the
public page (announce.season_results): the heading, the lead, each award's winners in a table
(entries: title, leader, unit, serial; units: name, serial), the closing, and one signature
block per issuing body (season setting "certificate.issuers": name, 盖章 and 负责人签字 lines)
with the date. Wording in certificate.yaml "announcement". Files are kept under
instance/announcements/ keyed by a hash of their content, so a page view does not redraw them."""
from __future__ import annotations

import hashlib
import io
import json
import os
from datetime import date
from pathlib import Path

from ...config import INSTANCE_DIR
from ...texts import lookup
from ...timeutil import china_today
from .announce import season_results
from .surfaces import font_file

REGULAR = ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2)
NUMERALS = "一二三四五六七八九十"
MIME = {"pdf": "application/pdf",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def _date_text(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def content(season_id: int, base_url: str, day: date | None = None) -> dict:
    """What both documents print: paragraphs and tables, in order."""
    r = season_results(season_id, base_url)
    text = lookup("certificate.announcement")
    day = day or china_today()
    lead = text["lead"].format(competition=r["competition"], season=r["season"]["name"], total=r["total"])
    if r["units"]:
        lead += text["lead_units"].format(units=r["units"])
    sections = []
    for i, group in enumerate(r["awards"]):
        n = len(group["winners"])
        heading = text["section"].format(no=NUMERALS[i] if i < len(NUMERALS) else i + 1, award=group["label"], n=n,
                                         unit=text["count_org" if group["holder_kind"] == "org" else "count_entry"])
        if group["holder_kind"] == "org":
            cols, rows = text["org_columns"], [[str(k), w["holder"], w["serial"]] for k, w in enumerate(group["winners"], 1)]
        else:
            cols = text["entry_columns"]
            rows = [[str(k), w["title"], w["holder"], w["unit"], w["serial"]] for k, w in enumerate(group["winners"], 1)]
        sections.append({"heading": heading, "columns": cols, "rows": rows, "org": group["holder_kind"] == "org"})
    return {"title": text["title"].format(season=r["season"]["name"]), "lead": lead,
            "empty": text["none_yet"] if not sections else "", "sections": sections,
            "closing": text["closing"], "verify_note": text["verify_note"].format(base=base_url.rstrip("/")),
            "issuers": r["issuers"], "seal": text["seal"], "signature": text["signature"],
            "date": _date_text(day), "season_id": season_id}


# -- PDF -------------------------------------------------------------------------------------
def _font() -> tuple[str, int]:
    return REGULAR if Path(REGULAR[0]).exists() else font_file()


ENTRY_WIDTHS, ORG_WIDTHS = (10, 64, 22, 46, 38), (12, 128, 40)     # mm, of 180


class _Measure:
    """render.wrap's surface interface over an FPDF document (its current font)."""

    def __init__(self, doc):
        self.doc = doc

    def measure(self, text: str, size: float) -> float:
        self.doc.set_font_size(size)
        return self.doc.get_string_width(text)


def _para(doc, text: str, size: float, line_h: float, indent: bool = True) -> None:
    """A paragraph wrapped by character with the Chinese punctuation rules (fpdf2 breaks at
    spaces only, and would start a line with a comma)."""
    from .render import wrap
    for line in wrap(_Measure(doc), ("　　" if indent else "") + text, size, doc.epw):
        doc.set_font_size(size)
        doc.cell(0, line_h, line, new_x="LMARGIN", new_y="NEXT")


def pdf(c: dict) -> bytes:
    from fpdf import FPDF
    from fpdf.fonts import FontFace
    doc = FPDF(orientation="P", unit="mm", format="A4")
    doc.set_margins(15, 18, 15)
    doc.set_auto_page_break(True, margin=18)
    path, index = _font()
    doc.add_font("cjk", "", path, collection_font_number=index)
    doc.fonts["cjk"].ttfont.recalcBBoxes = False
    doc.set_title(c["title"])
    doc.add_page()
    doc.set_font("cjk", size=20)
    doc.set_text_color(176, 58, 46)
    doc.multi_cell(0, 11, c["title"], align="C", new_x="LMARGIN", new_y="NEXT")
    doc.set_draw_color(176, 58, 46)
    doc.set_line_width(0.6)
    doc.line(15, doc.get_y() + 2, 195, doc.get_y() + 2)
    doc.ln(6)
    doc.set_text_color(34, 34, 34)
    _para(doc, c["lead"], 12, 7.5)
    if c["empty"]:
        doc.ln(4)
        doc.multi_cell(0, 7.5, c["empty"], align="C", new_x="LMARGIN", new_y="NEXT")
    for sec in c["sections"]:
        if doc.get_y() + 50 > doc.h - doc.b_margin:    # a heading never ends a page without its table
            doc.add_page()
        doc.ln(3)
        doc.set_font_size(14)
        doc.multi_cell(0, 9, sec["heading"], new_x="LMARGIN", new_y="NEXT")
        doc.set_font_size(10.5)
        widths = ORG_WIDTHS if sec["org"] else ENTRY_WIDTHS
        with doc.table(col_widths=widths, line_height=6, text_align="LEFT", first_row_as_headings=True,
                       headings_style=FontFace(fill_color=(246, 232, 230)), padding=1.2) as table:
            for values in [sec["columns"], *sec["rows"]]:
                row = table.row()
                for value in values:
                    row.cell(value)
    doc.ln(4)
    _para(doc, c["closing"], 12, 7.5)
    doc.set_text_color(90, 90, 90)
    _para(doc, c["verify_note"], 9, 5.5, indent=False)
    _signatures(doc, c)
    return bytes(doc.output())


def _signatures(doc, c: dict) -> None:
    """One block per issuer, side by side (at most three a row), then the date under them."""
    names = c["issuers"]
    per_row = min(3, max(1, len(names)))
    block_h = 34
    rows = -(-len(names) // per_row) if names else 0
    if doc.get_y() + 12 + rows * block_h + 14 > doc.h - doc.b_margin:
        doc.add_page()
    doc.ln(10)
    doc.set_text_color(34, 34, 34)
    width = 180 / per_row
    for r in range(rows):
        top = doc.get_y()
        for k, name in enumerate(names[r * per_row:(r + 1) * per_row]):
            x = 15 + k * width
            doc.set_font_size(11.5)
            doc.set_xy(x, top)
            doc.multi_cell(width - 4, 6.5, name, align="C")
            doc.set_font_size(10)
            doc.set_xy(x, top + 15)
            doc.cell(width - 4, 6, c["seal"], align="C")
            doc.set_xy(x, top + 24)
            doc.cell(width - 4, 6, c["signature"], align="L")
            doc.set_line_width(0.3)
            doc.set_draw_color(60, 60, 60)
            label_w = doc.get_string_width(c["signature"])
            doc.line(x + label_w + 1, top + 29.5, x + width - 6, top + 29.5)
        doc.set_y(top + block_h)
    doc.set_font_size(12)
    doc.cell(0, 8, c["date"], align="R", new_x="LMARGIN", new_y="NEXT")


# -- DOCX ------------------------------------------------------------------------------------
def docx(c: dict) -> bytes:
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt, RGBColor
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(20)
    style = doc.styles["Normal"]
    style.font.name, style.font.size = "Noto Serif CJK SC", Pt(12)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    doc.core_properties.title = c["title"]
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(c["title"])
    run.bold, run.font.size, run.font.color.rgb = True, Pt(20), RGBColor(0xB0, 0x3A, 0x2E)
    lead = doc.add_paragraph(c["lead"])
    lead.paragraph_format.first_line_indent = Pt(24)
    if c["empty"]:
        doc.add_paragraph(c["empty"]).alignment = WD_ALIGN_PARAGRAPH.CENTER
    for sec in c["sections"]:
        heading = doc.add_paragraph()
        heading.add_run(sec["heading"]).bold = True
        table = doc.add_table(rows=1, cols=len(sec["columns"]))
        table.style, table.alignment = "Table Grid", WD_TABLE_ALIGNMENT.CENTER
        for cell, value in zip(table.rows[0].cells, sec["columns"]):
            cell.text = value
            cell.paragraphs[0].runs[0].bold = True
        for values in sec["rows"]:
            for cell, value in zip(table.add_row().cells, values):
                cell.text = value
    closing = doc.add_paragraph(c["closing"])
    closing.paragraph_format.first_line_indent = Pt(24)
    note = doc.add_paragraph().add_run(c["verify_note"])
    note.font.size = Pt(9)
    doc.add_paragraph()
    names = c["issuers"]
    if names:
        table = doc.add_table(rows=3, cols=len(names))
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for k, name in enumerate(names):
            table.cell(0, k).text = name
            table.cell(1, k).text = c["seal"]
            table.cell(2, k).text = c["signature"] + "＿＿＿＿＿＿"
            for r in range(3):
                table.cell(r, k).paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph()
    doc.add_paragraph(c["date"]).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


BUILDERS = {"pdf": pdf, "docx": docx}


def document(season_id: int, fmt: str, base_url: str, day: date | None = None) -> tuple[Path, str]:
    """The announcement's file in `fmt` (pdf | docx) for the season's current results: made once
    per distinct content and kept (the date is part of it, so a new day makes a new file)."""
    c = content(season_id, base_url, day)
    digest = hashlib.sha256(json.dumps(c, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:16]
    path = INSTANCE_DIR / "announcements" / f"season{season_id}-{digest}.{fmt}"
    if not path.exists():
        data = BUILDERS[fmt](c)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    return path, MIME[fmt]


def filename(season_name: str, fmt: str) -> str:
    return lookup("certificate.announcement.filename").format(season=season_name) + f".{fmt}"
