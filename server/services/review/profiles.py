"""附件3 成果简介 and 附件4 项目带头人简介 (RULES.md "Forms"; issue 18 item 7) for one entry, as one
printable PDF (A4, two pages, the CJK font embedded as a subset — the certificates' font, see
certificates/surfaces.py) and one .docx (to print and stamp); and a set of them zipped — the
entries an organisation passed on at a level (a county's recommended entries, the city's
accepted ones; the same selection as the 附件2 sheet).

    entry_pdf(entry, photo) -> bytes
    entry_docx(entry, photo) -> bytes
    write_zip(org_id, season_id, level, progress, out) -> None   (streams to the file `out`)
The set is built in batches of BATCH entries whose objects are let go after use, and each
document goes into the zip as soon as it is made, so memory stays flat however large the set."""
from __future__ import annotations

import io
import math
import zipfile
from pathlib import Path
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...config import INSTANCE_DIR
from ...errors import NotFound
from ...extensions import db
from ...models import Attachment, Entry, Organisation
from ...texts import lookup, t
from ..seasons import get_season
from .quotas import COLUMN, PASSED

BATCH = 200
MARGIN, LABEL_W, ROW_H = 20.0, 38.0, 9.0
PHOTO_W, PHOTO_H = 35.0, 49.0           # 2寸 photo, mm
WIDTH = 210.0 - 2 * MARGIN


def _month(value: str | None) -> str:
    return (value or "")[:7]


def annex3_rows(entry: Entry, unit_name: str) -> list[tuple[str, str]]:
    spec = lookup("profiles.annex3.rows")
    if entry.patent_granted:
        day = entry.patent_announced_on.isoformat() if entry.patent_announced_on else ""
        patent = t("profiles.patent", number=entry.patent_number or "", day=day)
    else:
        patent = t("profiles.no_patent")
    period = t("profiles.period", start=_month(entry.started_on), end=_month(entry.completed_on))
    return [(spec["title"], entry.title or ""), (spec["unit"], unit_name),
            (spec["leader"], entry.leader.name if entry.leader else ""), (spec["period"], period),
            (spec["patent"], patent), (spec["summary"], entry.summary or "")]


def annex4_rows(entry: Entry) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(the rows beside the photo, the full-width rows below it)."""
    spec = lookup("profiles.annex4.rows")
    p = entry.leader
    value = (lambda attr: (getattr(p, attr, None) or "") if p is not None else "")
    gender = t(f"catalog.genders.{p.gender}") if p is not None and p.gender else ""
    beside = [(spec["name"], value("name")), (spec["gender"], gender), (spec["birth_month"], value("birth_month")),
              (spec["work_start"], value("work_start")), (spec["political_status"], value("political_status")),
              (spec["professional_title"], value("professional_title")), (spec["skill_level"], value("skill_level"))]
    below = [(spec[k], value(k)) for k in ("education", "highest_honor", "bio", "deeds")]
    return beside, below


def _chars(*texts: str) -> set[int]:
    return {ord(c) for text in texts for c in text}


class _Pdf:
    """Two A4 portrait pages drawn with fpdf2 in the certificates' CJK font."""

    def __init__(self, chars: set[int]):
        from fpdf import FPDF
        from fpdf.fonts import TTFFont

        from ..certificates.surfaces import font_file
        from .profile_font import base_cut
        self.pdf = FPDF(orientation="P", unit="mm", format="A4")
        self.pdf.set_margins(MARGIN, MARGIN, MARGIN)
        self.pdf.set_auto_page_break(True, margin=MARGIN)
        cut = base_cut()
        if cut is not None and cut.covers(chars):
            # a font of this document's glyphs only, cut from the base font read once per process
            # (profile_font.py); registered the way add_font does, which wants a file path
            self.pdf.fonts["cjk"] = TTFFont(self.pdf, io.BytesIO(cut.cut(chars)), "cjk", "")
        else:                               # a character beyond GB 2312: the whole font, read now
            path, index = font_file()
            self.pdf.add_font("cjk", "", path, collection_font_number=index)
        self.pdf.fonts["cjk"].ttfont.recalcBBoxes = False
        self.pdf.set_font("cjk", size=11)

    def heading(self, annex: str, title: str) -> None:
        pdf = self.pdf
        pdf.add_page()
        pdf.set_font_size(12)
        pdf.cell(0, 8, annex, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font_size(18)
        pdf.cell(0, 14, title, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        pdf.set_font_size(11)

    def _lines(self, text: str, width: float) -> int:
        return max(1, len(self.pdf.multi_cell(width - 2, 6, text or " ", dry_run=True, output="LINES",
                                              wrapmode="CHAR")))

    def _most_lines(self, text: str, width: float) -> int:
        """At least as many lines as `text` wraps to in `width` (mm), without laying it out: each
        full line of a character-wrapped paragraph holds more than (room − widest character)."""
        pdf = self.pdf
        room = width - 2 - 2 * pdf.c_margin
        most = 0
        for paragraph in (text or " ").split("\n"):
            widest = max((pdf.get_string_width(c) for c in set(paragraph)), default=0.0)
            most += max(1, math.ceil(pdf.get_string_width(paragraph) / max(room - widest, 1.0)))
        return most

    def row(self, label: str, text: str, width: float = WIDTH, min_h: float = ROW_H) -> None:
        """A bordered label | text row, as tall as its text (at least min_h). The text is laid out
        once, where it is drawn; only a row that might not fit on the page is measured first."""
        pdf = self.pdf
        label_lines = self._lines(label, LABEL_W)

        def height(lines: int) -> float:
            return max(min_h, lines * 6 + 3, label_lines * 6 + 3)
        if pdf.get_y() + height(self._most_lines(text, width - LABEL_W)) > pdf.h - MARGIN and \
                pdf.get_y() + height(self._lines(text, width - LABEL_W)) > pdf.h - MARGIN:
            pdf.add_page()
        x, y = pdf.get_x(), pdf.get_y()
        pdf.set_xy(x + LABEL_W + 1, y + 1.5)
        h = height(max(1, len(pdf.multi_cell(width - LABEL_W - 2, 6, text, wrapmode="CHAR", output="LINES"))))
        pdf.rect(x, y, LABEL_W, h)
        pdf.rect(x + LABEL_W, y, width - LABEL_W, h)
        pdf.set_xy(x + 1, y + (h - 6 * label_lines) / 2)
        pdf.multi_cell(LABEL_W - 2, 6, label, align="C", wrapmode="CHAR")
        pdf.set_xy(x, y + h)

    def photo(self, x: float, y: float, path: Path | None) -> None:
        pdf = self.pdf
        pdf.rect(x, y, WIDTH - (x - MARGIN), len(annex4_row_keys()) * ROW_H)
        if path is not None:
            pdf.image(str(path), x=x + (WIDTH - (x - MARGIN) - PHOTO_W) / 2, y=y + 4, w=PHOTO_W, h=PHOTO_H)
        else:
            pdf.set_xy(x, y + 25)
            pdf.cell(WIDTH - (x - MARGIN), 6, t("profiles.annex4.no_photo"), align="C")

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def annex4_row_keys() -> tuple[str, ...]:
    return ("name", "gender", "birth_month", "work_start", "political_status", "professional_title", "skill_level")


def photo_of(entry: Entry) -> Path | None:
    """The leader's latest photo on disk (附件4 免冠2寸相片), or None."""
    if entry.leader_id is None:
        return None
    key = db.session.scalar(select(Attachment.storage_key).where(
        Attachment.person_id == entry.leader_id, Attachment.kind == "photo").order_by(Attachment.id.desc()).limit(1))
    path = INSTANCE_DIR / key if key else None
    return path if path is not None and path.exists() else None


def entry_pdf(entry: Entry, unit_name: str, photo: Path | None) -> bytes:
    a3, a4 = lookup("profiles.annex3"), lookup("profiles.annex4")
    rows3 = annex3_rows(entry, unit_name)
    beside, below = annex4_rows(entry)
    signature = a3["signature"].format(filled_by=entry.filled_by or "", responsible=entry.responsible_person or "")
    texts = [a3["annex"], a3["title"], a4["annex"], a4["title"], a4["no_photo"], signature,
             *(x for row in (*rows3, *beside, *below) for x in row)]
    doc = _Pdf(_chars(*texts))
    doc.heading(a3["annex"], a3["title"])
    for label, text in rows3[:-1]:
        doc.row(label, text)
    doc.row(*rows3[-1], min_h=120)
    doc.pdf.ln(4)
    doc.pdf.cell(0, 8, signature, new_x="LMARGIN", new_y="NEXT")
    doc.heading(a4["annex"], a4["title"])
    top = doc.pdf.get_y()
    left_w = WIDTH - PHOTO_W - 10
    for label, text in beside:
        doc.row(label, text, width=left_w)
    doc.photo(MARGIN + left_w, top, photo)
    for label, text in below:
        doc.row(label, text, min_h=ROW_H if label in (below[0][0], below[1][0]) else 50)
    return doc.output()


def entry_docx(entry: Entry, unit_name: str, photo: Path | None) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Mm, Pt
    a3, a4 = lookup("profiles.annex3"), lookup("profiles.annex4")
    doc = Document()

    def heading(annex: str, title: str) -> None:
        doc.add_paragraph(annex)
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(title)
        run.bold, run.font.size = True, Pt(18)

    def table(rows: list[tuple[str, str]]):
        tbl = doc.add_table(rows=len(rows), cols=2)
        tbl.style = "Table Grid"
        for (label, text), r in zip(rows, tbl.rows):
            cells = r.cells                 # each .cells walks the row's XML again
            cells[0].text, cells[1].text = label, text
            cells[0].width, cells[1].width = Mm(LABEL_W), Mm(WIDTH - LABEL_W)
        return tbl

    heading(a3["annex"], a3["title"])
    table(annex3_rows(entry, unit_name))
    doc.add_paragraph(a3["signature"].format(filled_by=entry.filled_by or "",
                                             responsible=entry.responsible_person or ""))
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    heading(a4["annex"], a4["title"])
    beside, below = annex4_rows(entry)
    tbl = doc.add_table(rows=len(beside), cols=3)
    tbl.style = "Table Grid"
    for (label, text), r in zip(beside, tbl.rows):
        cells = r.cells
        cells[0].text, cells[1].text = label, text
    cell = tbl.cell(0, 2).merge(tbl.cell(len(beside) - 1, 2))
    if photo is not None:
        cell.paragraphs[0].add_run().add_picture(str(photo), width=Mm(PHOTO_W), height=Mm(PHOTO_H))
    else:
        cell.text = a4["no_photo"]
    table(below)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _entry_ids(org: Organisation, season_id: int, level: str) -> list[int]:
    from ...models import EntryReview
    return list(db.session.scalars(
        select(Entry.id).join(EntryReview, EntryReview.entry_id == Entry.id)
        .where(Entry.season_id == season_id, COLUMN[level] == org.id, Entry.status.in_(PASSED[level]))
        .order_by(Entry.submitted_at, Entry.id)))


def _safe(name: str) -> str:
    return "".join("_" if c in '/\\:*?"<>|\n\r\t' else c for c in name)[:60]


def write_zip(org_id: int, season_id: int, level: str, progress: Callable[[int, int], None] | None,
              out: Path) -> None:
    """Write the set's zip to `out`: per entry NNNNN_<title>.pdf and .docx (附件3 + 附件4)."""
    org = db.session.get(Organisation, org_id)
    if org is None:
        raise NotFound("errors.org_not_found", code="org_not_found", org_id=org_id)
    get_season(season_id)
    ids = _entry_ids(org, season_id, level)
    total, done = len(ids), 0
    if progress is not None:
        progress(0, total)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for start in range(0, total, BATCH):
            batch = list(db.session.scalars(select(Entry).options(selectinload(Entry.leader))
                                            .where(Entry.id.in_(ids[start:start + BATCH])).order_by(Entry.id)))
            order = {i: n for n, i in enumerate(ids[start:start + BATCH], start=start + 1)}
            batch.sort(key=lambda e: order[e.id])
            names = dict(db.session.execute(select(Organisation.id, Organisation.name).where(
                Organisation.id.in_({e.unit_id for e in batch if e.unit_id}))).all())
            for e in batch:
                n = order[e.id]
                photo = photo_of(e)
                stem = _safe(t("profiles.file_name", n=n, title=e.title or t("profiles.untitled")))
                unit_name = names.get(e.unit_id, "")
                zf.writestr(f"{stem}.pdf", entry_pdf(e, unit_name, photo))
                zf.writestr(f"{stem}.docx", entry_docx(e, unit_name, photo))
                done += 1
            for obj in {id(o): o for e in batch for o in (e, e.leader) if o is not None}.values():
                if obj in db.session:       # let the batch go: memory stays flat for large sets
                    db.session.expunge(obj)
            if progress is not None:
                progress(done, total)
