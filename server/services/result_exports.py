"""The lists the city office sends on (issue 16): the top N entries for the province with their
附件3 data (.xlsx), the leaders of 一/二/三等奖 for the labour-competition committee and the
winners without a patent (after the release), and the committee's score sheet of one entry as a
printable PDF. Column titles and labels come from message_templates/zh_CN/scoring.yaml."""
from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import select

from ..errors import AppError, Conflict, ValidationError
from ..extensions import db
from ..models import AwardDecision, Entry, Expert, Organisation, PanelSeat, Score, Season, User
from ..texts import lookup, t
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
    """The committee's score sheet of one entry: every panel member's sheet, the aggregate and
    how it was reached, the office's decision and its reason."""
    from fpdf import FPDF
    entry = get_entry(entry_id)
    policy.require(actor, "results.export")
    policy.require(actor, "scores.view", entry)
    row = next((r for r in ranking(entry.season) if r["entry_id"] == entry.id), None)
    sheets = db.session.execute(select(Score, Expert).join(Expert, Expert.id == Score.expert_id)
                                .join(PanelSeat, (PanelSeat.entry_id == Score.entry_id)
                                      & (PanelSeat.expert_id == Score.expert_id))
                                .where(Score.entry_id == entry.id).order_by(Expert.id)).all()
    pdf = FPDF(orientation="L", format="A4")
    font = _font()
    pdf.add_font("cjk", fname=font, collection_font_number=2 if font.endswith(".ttc") else 0)   # 2: SC in Noto CJK
    pdf.add_page()
    pdf.set_font("cjk", size=16)
    pdf.cell(0, 10, t("scoring.exports.sheet_title"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=10)
    pdf.multi_cell(0, 7, t("scoring.exports.sheet_entry", title=entry.title or "", category=_category(entry.category),
                           unit=_unit(entry)), new_x="LMARGIN", new_y="NEXT")
    widths = (30, 25, 25, 25, 25, 18, 129)
    from fpdf.fonts import FontFace
    with pdf.table(col_widths=widths, text_align="LEFT", headings_style=FontFace(emphasis="")) as table:
        table.row(lookup("scoring.exports.sheet_header"))
        for score, expert in sheets:
            cells = [expert.user.name or str(expert.id)]
            cells += [f"{score.criteria[c]['points']}" for c in ("innovation", "technology", "benefit", "effect")]
            cells += [str(score.total), score.comment or ""]
            table.row(cells)
    if row is not None and row["aggregate"] is not None:
        pdf.ln(3)
        pdf.multi_cell(0, 7, t("scoring.exports.sheet_summary", method=lookup(f"scoring.aggregations.{method_of(entry.season)}"),
                               aggregate=row["aggregate"], rounded=row["rounded"], spread=row["spread"],
                               flag=lookup("scoring.exports.sheet_flag") if row["flagged"] else "",
                               grade=award_label(row["grade"])), new_x="LMARGIN", new_y="NEXT")
    decision = db.session.scalar(select(AwardDecision).where(AwardDecision.entry_id == entry.id))
    if decision is not None:
        pdf.multi_cell(0, 7, t("scoring.exports.sheet_decision", award=award_label(decision.award),
                               reason=decision.reason), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
