"""附件5 “五小”竞赛优胜单位申报表 as .xlsx, laid out like the form: 附件5, the title, 推荐单位盖章,
then the two-column grid 单位名称/法人代表, 单位性质/联系电话, 职工总数/职工参与率, the activity
summary, and the three opinions (申报单位, 县级（产业）, 市级) with who decided and when, each with
its stamp-and-date line; 填报人 and 负责人 below. The form's top and its cells come from the
附件2 sheet (review/sheet.py heading, box), so every official form looks alike.

    annex5_xlsx(user, app_id) -> bytes       (winner.view)
    annex5_docx(user, app_id) -> bytes       the same form as Word, to print, sign and stamp
"""
from __future__ import annotations

import io

from openpyxl import Workbook

from ...texts import lookup, t
from ...timeutil import to_china
from ..review.sheet import box, heading
from . import winners

WIDTHS = (22, 30, 16, 30)
SUMMARY_ROW, OPINION_ROWS, SIGN_ROW = 7, (8, 9, 10), 12


def area_name(app) -> str:
    """The recommending body: the county or industry union above the unit."""
    node = app.org.parent
    while node is not None and node.kind not in ("county", "industry_union"):
        node = node.parent
    return node.name if node is not None else ""


def opinion_text(app, level: str, spec: dict) -> str:
    """申报单位: its own words; the county and city: decision, comment, who and when; each
    followed by the stamp-and-date line the office signs."""
    if level == "applicant":
        words = app.applicant_opinion or ""
    else:
        given = {o["level"]: o for o in winners.opinions(app)}.get(level)
        words = spec["opinion"].format(decision=given["decision_label"], comment=given["comment"] or "",
                                       who=given["by"], at=to_china(given["at"]).strftime("%Y-%m-%d %H:%M")) \
            if given else ""
    return f"{words}\n{spec['stamp_date']}" if words else spec["stamp_date"]


def annex5_xlsx(user, app_id: int) -> bytes:
    app = winners.get(user, app_id)
    spec = lookup("awards.annex5")
    wb = Workbook()
    ws = wb.active
    heading(ws, spec, len(WIDTHS), spec["stamp"].format(org=area_name(app)))
    for col, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions["ABCD"[col - 1]].width = width
    pairs = [(spec["unit_name"], app.org.name, spec["legal_rep"], app.legal_rep),
             (spec["nature"], app.nature, spec["phone"], app.phone),
             (spec["employees"], app.employees, spec["rate"], winners.rate(app))]
    for row, (k1, v1, k2, v2) in enumerate(pairs, start=4):
        box(ws.cell(row=row, column=1, value=k1), bold=True, center=True)
        box(ws.cell(row=row, column=2, value=v1))
        box(ws.cell(row=row, column=3, value=k2), bold=True, center=True)
        box(ws.cell(row=row, column=4, value=v2), number_format="0.0%" if k2 == spec["rate"] else None)
    wide = [(SUMMARY_ROW, spec["summary"], app.summary, 120)] + [
        (row, spec[level], opinion_text(app, level, spec), 60)
        for row, level in zip(OPINION_ROWS, ("applicant", "county", "city"))]
    for row, label, value, height in wide:
        box(ws.cell(row=row, column=1, value=label), bold=True, center=True)
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=4)
        box(ws.cell(row=row, column=2, value=value))
        for col in (3, 4):
            box(ws.cell(row=row, column=col))
        ws.row_dimensions[row].height = height
    ws.cell(row=SIGN_ROW, column=1, value=spec["filled_by"].format(name=app.filled_by or ""))
    ws.cell(row=SIGN_ROW, column=3, value=spec["responsible"].format(name=app.responsible or ""))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def annex5_docx(user, app_id: int) -> bytes:
    """The same form as a Word document: the grid as one table (the wide rows merged across the
    three value columns), 填报人 and 负责人 under it."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt
    app = winners.get(user, app_id)
    spec = lookup("awards.annex5")
    doc = Document()
    doc.add_paragraph(spec["annex"])
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(spec["title"])
    run.bold, run.font.size = True, Pt(18)
    doc.add_paragraph(spec["stamp"].format(org=area_name(app)))
    pairs = [(spec["unit_name"], app.org.name, spec["legal_rep"], app.legal_rep),
             (spec["nature"], app.nature, spec["phone"], app.phone),
             (spec["employees"], str(app.employees), spec["rate"], f"{winners.rate(app) * 100:.1f}%")]
    wide = [(spec["summary"], app.summary)] + [(spec[level], opinion_text(app, level, spec))
                                               for level in ("applicant", "county", "city")]
    table = doc.add_table(rows=len(pairs) + len(wide), cols=4)
    table.style = "Table Grid"
    for r, values in enumerate(pairs):
        for c, value in enumerate(values):
            table.cell(r, c).text = value or ""
    for r, (label, value) in enumerate(wide, start=len(pairs)):
        table.cell(r, 0).text = label
        merged = table.cell(r, 1).merge(table.cell(r, 3))
        merged.text = value or ""
    doc.add_paragraph(f"{spec['filled_by'].format(name=app.filled_by or '')}　　　　"
                      f"{spec['responsible'].format(name=app.responsible or '')}")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


FORMATS = {"xlsx": (annex5_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
           "docx": (annex5_docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document")}


def filename(app, fmt: str = "xlsx") -> str:
    return f"{t('awards.annex5.title')}-{app.org.name}.{fmt}"
