"""The lists the city office sends on (issue 16): the top N entries for the province with their
附件3 data (.xlsx), the leaders of 一/二/三等奖 for the labour-competition committee and the
winners without a patent (after the release), and the committee's score sheet of one entry as a
printable PDF. Column titles and labels come from message_templates/zh_CN/scoring.yaml."""
from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import func, select

from ..errors import AppError, Conflict, ValidationError
from ..extensions import db
from ..models import AwardDecision, Entry, Expert, Organisation, PanelSeat, Score, Season, User
from ..forms.rubric import rubric_for
from ..texts import lookup, t
from ..timeutil import to_china, utcnow
from . import policy
from .results import award_label, method_of, ranking
from .scoring import get_entry, released

MAX_TOP = 1000
FONT_CANDIDATES = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
                   "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
                   "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")


def _workbook(title: str, columns: list[str], rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(columns)
    for row in rows:
        sheet.append(["" if v is None else v for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _unit(entry: Entry) -> str:
    org = db.session.get(Organisation, entry.unit_id) if entry.unit_id else None
    return org.name if org else ""


def _category(code: str | None) -> str:
    return lookup("catalog.categories").get(code, code or "") if code else ""


def _gender(leader) -> str:
    return lookup("catalog.genders").get(leader.gender, "") if leader is not None and leader.gender else ""


def _yes_no(value) -> str:
    return lookup("scoring.exports.answer_yes") if value else lookup("scoring.exports.answer_no")


def top_entries(actor: User, season: Season, n: int) -> bytes:
    """The best n entries by aggregate (ties kept in rank order), with their 附件3 data."""
    policy.require(actor, "results.export")
    if not 1 <= n <= MAX_TOP:
        raise ValidationError("scoring.errors.top_n", code="top_n", field="n", max=MAX_TOP)
    rows = [r for r in ranking(season) if r["complete"]][:n]
    entries = {e.id: e for e in db.session.scalars(select(Entry).where(Entry.id.in_([r["entry_id"] for r in rows])))}
    out = []
    for r in rows:
        e = entries[r["entry_id"]]
        leader = e.leader
        out.append([r["rank"], e.title, _category(e.category), e.industry, _unit(e), leader.name if leader else "",
                    _gender(leader), f"{e.started_on or ''} 至 {e.completed_on or ''}", _yes_no(e.patent_granted),
                    e.patent_number, e.patent_announced_on.isoformat() if e.patent_announced_on else None,
                    e.summary, r["aggregate"], award_label(r["award"]), e.filled_by, e.responsible_person])
    return _workbook(lookup("scoring.exports.top_sheet"), lookup("scoring.exports.top_columns"), out)


def _decided(actor: User, season: Season) -> list[Entry]:
    policy.require(actor, "results.export")
    done = released(season.id)
    if done is None or not done.final:
        raise Conflict("scoring.errors.export_not_released", code="not_released")
    order = {a: i for i, a in enumerate(("special", "first", "second", "third", "excellent"))}
    entries = db.session.scalars(select(Entry).where(Entry.season_id == season.id, Entry.status == "decided",
                                                     Entry.award.is_not(None))).all()
    return sorted(entries, key=lambda e: (order.get(e.award, 9), e.id))


def winners(actor: User, season: Season, which: str) -> bytes:
    """which = "leaders": leaders of 一/二/三等奖 (表彰奖励 and bonus); "no_patent": every winner
    without a granted patent (patent guidance)."""
    entries = _decided(actor, season)
    if which == "leaders":
        rows = [[award_label(e.award), e.title, e.leader.name if e.leader else "", _gender(e.leader),
                 e.leader.birth_month if e.leader else "", e.leader.phone if e.leader else "", _unit(e),
                 e.leader.professional_title if e.leader else "", e.leader.skill_level if e.leader else ""]
                for e in entries if e.award in ("first", "second", "third")]
        return _workbook(lookup("scoring.exports.leaders_sheet"), lookup("scoring.exports.leaders_columns"), rows)
    rows = [[award_label(e.award), e.title, _category(e.category), _unit(e), e.leader.name if e.leader else "",
             e.leader.phone if e.leader else ""] for e in entries if not e.patent_granted]
    return _workbook(lookup("scoring.exports.no_patent_sheet"), lookup("scoring.exports.no_patent_columns"), rows)


def _font() -> str:
    found = next((p for p in FONT_CANDIDATES if Path(p).exists()), None)
    if found is None:
        raise AppError("scoring.errors.no_font", code="no_font", status=503)
    return found


def score_sheet_pdf(actor: User, entry_id: int) -> bytes:
    """The committee's score sheet of one entry, printable on A4 landscape: every panel
    member's sheet (points and band per criterion, total, comment), the aggregate and how it
    was reached, the office's decision and its reason, a line to sign; long comments wrap and
    the table continues on the next page under its headings, each page numbered."""
    entry = get_entry(entry_id)
    policy.require(actor, "results.export")
    policy.require(actor, "scores.view", entry)
    row = next((r for r in ranking(entry.season) if r["entry_id"] == entry.id), None)
    sheets = db.session.execute(select(Score, Expert).join(Expert, Expert.id == Score.expert_id)
                                .join(PanelSeat, (PanelSeat.entry_id == Score.entry_id)
                                      & (PanelSeat.expert_id == Score.expert_id))
                                .where(Score.entry_id == entry.id).order_by(Expert.id)).all()
    panel = db.session.scalar(select(func.count(PanelSeat.id)).where(PanelSeat.entry_id == entry.id))
    pdf = _sheet_pdf()
    pdf.set_font("cjk", size=15)
    pdf.multi_cell(0, 9, t("scoring.exports.sheet_title", season=entry.season.name), align="C",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=10)
    pdf.multi_cell(0, 6, t("scoring.exports.sheet_entry", id=entry.id, title=entry.title or ""),
                   new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 6, t("scoring.exports.sheet_entry_more", category=_category(entry.category),
                           industry=entry.industry or "", unit=_unit(entry), panel=panel, scored=len(sheets)),
                   new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    rubric = rubric_for(entry.season)
    if sheets:
        _sheet_table(pdf, rubric, sheets)
    else:
        pdf.multi_cell(0, 7, t("scoring.exports.sheet_none"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    if row is not None and row["aggregate"] is not None:
        pdf.multi_cell(0, 6, t("scoring.exports.sheet_summary", method=lookup(f"scoring.aggregations.{method_of(entry.season)}"),
                               aggregate=row["aggregate"], rounded=row["rounded"], spread=row["spread"],
                               flag=lookup("scoring.exports.sheet_flag") if row["flagged"] else "",
                               grade=award_label(row["grade"])), new_x="LMARGIN", new_y="NEXT")
    decision = db.session.scalar(select(AwardDecision).where(AwardDecision.entry_id == entry.id))
    if decision is not None:
        pdf.multi_cell(0, 6, t("scoring.exports.sheet_decision", award=award_label(decision.award),
                               reason=decision.reason), new_x="LMARGIN", new_y="NEXT")
    if sheets:
        _sheet_comments(pdf, sheets)
    pdf.ln(6)
    pdf.multi_cell(0, 7, t("scoring.exports.sheet_sign"), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _sheet_pdf():
    """An A4 landscape FPDF with the CJK font (regular and bold) and the numbered footer."""
    from fpdf import FPDF
    printed = to_china(utcnow()).strftime("%Y-%m-%d %H:%M")

    class SheetPDF(FPDF):
        def footer(self):
            self.set_y(-12)
            self.set_font("cjk", size=8)
            self.cell(0, 6, t("scoring.exports.sheet_footer", at=printed, page=self.page_no(), pages="{nb}"),
                      align="C")

    pdf = SheetPDF(orientation="L", format="A4")
    pdf.set_margins(12, 12, 12)
    pdf.set_auto_page_break(True, margin=16)
    regular = _font()
    number = 2 if regular.endswith(".ttc") else 0          # 2: Simplified Chinese in Noto CJK
    pdf.add_font("cjk", fname=regular, collection_font_number=number)
    bold = regular.replace("-Regular.", "-Bold.")
    pdf.add_font("cjk", style="B", fname=bold if bold != regular and Path(bold).exists() else regular,
                 collection_font_number=number)
    pdf.add_page()
    return pdf


def _sheet_table(pdf, rubric, sheets) -> None:
    """Points and band per criterion and the total, one row per expert (rows stay short, so
    none outgrows a page; the comments follow the summary, _sheet_comments, and may run over
    pages)."""
    from fpdf.enums import VAlign
    from fpdf.fonts import FontFace
    criteria = rubric.criteria
    widths = (30, *[52] * len(criteria), 273 - 30 - 52 * len(criteria))
    headings = [lookup("scoring.exports.sheet_expert")]
    headings += [t("scoring.exports.sheet_criterion", label=c.label, max=max(b.max for b in c.bands)) for c in criteria]
    headings += [t("scoring.exports.sheet_total", max=rubric.max_total())]
    pdf.set_font("cjk", size=9)
    with pdf.table(col_widths=widths, text_align=("LEFT", *["CENTER"] * (len(criteria) + 1)),
                   v_align=VAlign.M, line_height=4.6, padding=1.2, repeat_headings=1,
                   headings_style=FontFace(emphasis="BOLD", fill_color=(235, 238, 242))) as table:
        table.row(headings)
        for score, expert in sheets:
            cells = [expert.user.name or str(expert.id)]
            for c in criteria:
                given = score.criteria.get(c.code, {})
                band = c.band(given.get("band"))
                cells.append(t("scoring.exports.sheet_points", points=given.get("points", ""),
                               band=band.label if band else given.get("band", "")))
            cells.append(str(score.total))
            table.row(cells)


def _sheet_comments(pdf, sheets) -> None:
    pdf.ln(3)
    pdf.set_font("cjk", style="B", size=10)
    pdf.cell(0, 6, lookup("scoring.exports.sheet_comment"), new_x="LMARGIN", new_y="NEXT")
    for score, expert in sheets:
        pdf.set_font("cjk", style="B", size=9)
        name = f"{expert.user.name or expert.id}："
        pdf.cell(pdf.get_string_width(name) + 1, 5, name)
        pdf.set_font("cjk", size=9)
        pdf.multi_cell(0, 5, score.comment or lookup("scoring.exports.sheet_no_comment"), new_x="LMARGIN", new_y="NEXT")
