"""附件2 “五小”竞赛优秀成果推荐表 (issue 15 item 8): the entries an organisation passed on at
its level, laid out like the official form — "附件2", the title, 推荐单位（盖章）, then the columns
序号 所属行业 项目类型 项目名称 项目带头人 性别 是否获得专利（专利号及授权公告日） 单位名称, and
the form's two notes. Built by an RQ job (workers/exports.py) that reports its progress."""
from __future__ import annotations

import io
from typing import Callable

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from sqlalchemy import select

from ...config import INSTANCE_DIR
from ...errors import NotFound, ValidationError
from ...extensions import db
from ...models import Entry, EntryReview, Organisation, Season
from ...texts import lookup, t
from .. import policy
from ..seasons import get_season
from .quotas import COLUMN, PASSED

LEVEL_OF_KIND = {"unit": "unit", "team": "unit", "county": "county", "industry_union": "county", "city": "city"}
FIRST_ROW = 5        # header on row 4, entries from row 5


def level_for(org: Organisation, level: str | None) -> str:
    level = level or LEVEL_OF_KIND.get(org.kind)
    if level not in PASSED:
        raise ValidationError("review.errors.sheet_level", code="bad_level", field="level")
    return level


def entries_for(org: Organisation, season: Season, level: str) -> list[Entry]:
    """What the organisation passed on at `level` this season, in the order it was submitted."""
    return list(db.session.scalars(
        select(Entry).join(EntryReview, EntryReview.entry_id == Entry.id)
        .where(Entry.season_id == season.id, COLUMN[level] == org.id, Entry.status.in_(PASSED[level]))
        .order_by(Entry.submitted_at, Entry.id)))


def patent_text(e: Entry) -> str:
    if not e.patent_granted:
        return "否"
    day = e.patent_announced_on.isoformat() if e.patent_announced_on else ""
    return f"是（{e.patent_number or ''}，{day}）"


def row_values(n: int, e: Entry, unit_names: dict[int, str]) -> list:
    gender = t(f"catalog.genders.{e.leader.gender}") if e.leader is not None and e.leader.gender else ""
    category = t(f"catalog.categories.{e.category}") if e.category else ""
    return [n, e.industry or "", category, e.title or "", e.leader.name if e.leader else "", gender,
            patent_text(e), unit_names.get(e.unit_id, "")]


BOX = Border(left=Side(style="thin"), right=Side(style="thin"), top=Side(style="thin"), bottom=Side(style="thin"))


def heading(ws, spec: dict, width: int, stamp: str) -> None:
    """The top of an official form (附件2, 附件5, …): "附件N" in A1, the title merged and centred
    across the form's width on row 2, the stamp line (推荐单位盖章) on row 3; the sheet named."""
    ws.title = spec["sheet_name"]
    ws["A1"] = spec["annex"]
    end = get_column_letter(width)
    ws.merge_cells(f"A2:{end}2")
    ws["A2"] = spec["title"]
    ws["A2"].font = Font(size=16, bold=True)
    ws["A2"].alignment = Alignment(horizontal="center")
    ws.merge_cells(f"A3:{end}3")
    ws["A3"] = stamp


def box(cell, *, bold: bool = False, center: bool = False, number_format: str | None = None):
    """A form cell: thin border, wrapped text, centred vertically (and horizontally for labels)."""
    cell.border = BOX
    cell.alignment = Alignment(horizontal="center" if center else None, vertical="center", wrap_text=True)
    if bold:
        cell.font = Font(bold=True)
    if number_format:
        cell.number_format = number_format
    return cell


def build(org_id: int, season_id: int, level: str | None = None,
          progress: Callable[[int, int], None] | None = None) -> bytes:
    org = db.session.get(Organisation, org_id)
    if org is None:
        raise NotFound("errors.org_not_found", code="org_not_found", org_id=org_id)
    season = get_season(season_id)
    level = level_for(org, level)
    entries = entries_for(org, season, level)
    spec = lookup("review.sheet")
    wb = Workbook()
    ws = wb.active
    heading(ws, spec, len(spec["columns"]), spec["stamp"].format(org=org.name))
    for col, (text, width) in enumerate(zip(spec["columns"], spec["widths"]), start=1):
        box(ws.cell(row=4, column=col, value=text), bold=True, center=True)
        ws.column_dimensions[get_column_letter(col)].width = width
    units = {o.id: o.name for o in db.session.scalars(select(Organisation).where(
        Organisation.id.in_({e.unit_id for e in entries if e.unit_id})))}
    for n, e in enumerate(entries, start=1):
        for col, value in enumerate(row_values(n, e, units), start=1):
            box(ws.cell(row=FIRST_ROW + n - 1, column=col, value=value))
        if progress is not None and (n % 100 == 0 or n == len(entries)):
            progress(n, len(entries))
    notes_row = FIRST_ROW + len(entries) + 1
    for i, note in enumerate(spec["notes"]):
        ws.cell(row=notes_row + i, column=1, value=note)
    if progress is not None and not entries:
        progress(0, 0)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def build_docx(org_id: int, season_id: int, level: str | None = None,
               progress: Callable[[int, int], None] | None = None) -> bytes:
    """The same sheet as a Word document to print and stamp (推荐单位盖章, date line)."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt
    org = db.session.get(Organisation, org_id)
    if org is None:
        raise NotFound("errors.org_not_found", code="org_not_found", org_id=org_id)
    season = get_season(season_id)
    level = level_for(org, level)
    entries = entries_for(org, season, level)
    spec = lookup("review.sheet")
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    doc.add_paragraph(spec["annex"])
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(spec["title"])
    run.bold, run.font.size = True, Pt(18)
    doc.add_paragraph(spec["stamp"].format(org=org.name))
    table = doc.add_table(rows=1, cols=len(spec["columns"]))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, spec["columns"]):
        cell.text = text
    units = {o.id: o.name for o in db.session.scalars(select(Organisation).where(
        Organisation.id.in_({e.unit_id for e in entries if e.unit_id})))}
    for n, e in enumerate(entries, start=1):
        for cell, value in zip(table.add_row().cells, row_values(n, e, units)):
            cell.text = str(value)
        if progress is not None and (n % 100 == 0 or n == len(entries)):
            progress(n, len(entries))
    for note in spec["notes"]:
        doc.add_paragraph(note)
    doc.add_paragraph(spec["date_line"]).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if progress is not None and not entries:
        progress(0, 0)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def build_profiles(org_id: int, season_id: int, level: str, progress, out) -> None:
    """附件3 + 附件4 per entry of the same set (PDF and .docx each), zipped, streamed to `out`."""
    from .profiles import write_zip
    write_zip(org_id, season_id, level, progress, out)


# fmt → (builder, content type, download name, streams: the builder writes the file itself)
FORMATS = {"xlsx": (build, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "附件2推荐表.xlsx",
                    False),
           "docx": (build_docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    "附件2推荐表.docx", False),
           "zip": (build_profiles, "application/zip", "附件3成果简介_附件4带头人简介.zip", True)}


def path_for(job_id: str):
    return INSTANCE_DIR / "exports" / f"{job_id}.{job_id.rsplit('-', 1)[-1]}"


def job_id_for(org_id: int, season_id: int, level: str, fmt: str = "xlsx") -> str:
    return f"sheet-{season_id}-{org_id}-{level}-{fmt}"


def request(user, org_id: int, season_id: int, level: str | None = None, fmt: str = "xlsx") -> dict:
    """Check the office may have the sheet (or its 附件3/附件4 set, fmt "zip"), then queue its job
    (workers/exports.py); the job reports progress and job_state/file_for serve the download."""
    from ...extensions import queue
    org = db.session.get(Organisation, org_id)
    if org is None:
        raise NotFound("errors.org_not_found", code="org_not_found", org_id=org_id)
    policy.require(user, "review.sheet", org)
    get_season(season_id)
    level = level_for(org, level)
    if fmt not in FORMATS:
        raise ValidationError("review.errors.sheet_format", code="bad_format", field="format")
    job_id = job_id_for(org_id, season_id, level, fmt)
    queue("default").enqueue("workers.exports.recommendation_sheet", org_id, season_id, level, fmt, job_id=job_id,
                             result_ttl=3600, failure_ttl=86400)
    return {"job_id": job_id, "level": level}


def write(job_id: str, org_id: int, season_id: int, level: str, progress, fmt: str = "xlsx") -> str:
    """The job's work: build and store the file (idempotent: the same ids give the same file)."""
    builder, _, _, streams = FORMATS[fmt]
    path = path_for(job_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    if streams:                     # large sets: written to disk as they are made
        builder(org_id, season_id, level, progress, tmp)
    else:
        tmp.write_bytes(builder(org_id, season_id, level, progress))
    tmp.replace(path)
    return str(path)


def job_state(user, job_id: str) -> dict:
    """{"status", "progress": {"done", "total"}, "ready"} for a sheet job this user may have."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job
    from ...extensions import redis_client
    parts = job_id.split("-")
    if (len(parts) != 5 or parts[0] != "sheet" or not parts[1].isdigit() or not parts[2].isdigit()
            or parts[4] not in FORMATS):
        raise NotFound("review.errors.sheet_not_found", code="sheet_not_found")
    org = db.session.get(Organisation, int(parts[2]))
    if org is None or not policy.can(user, "review.sheet", org):
        raise NotFound("review.errors.sheet_not_found", code="sheet_not_found")
    try:
        job = Job.fetch(job_id, connection=redis_client())
        state, meta = job.get_status(refresh=True), job.get_meta(refresh=True)
    except NoSuchJobError:
        state, meta = ("finished" if path_for(job_id).exists() else "missing"), {}
    ready = path_for(job_id).exists() and state == "finished"
    state = str(getattr(state, "value", state))
    return {"job_id": job_id, "status": state, "progress": meta.get("progress", {"done": 0, "total": None}),
            "ready": ready}


def file_for(user, job_id: str):
    info = job_state(user, job_id)
    if not info["ready"]:
        raise NotFound("review.errors.sheet_not_ready", code="sheet_not_ready")
    return path_for(job_id)
