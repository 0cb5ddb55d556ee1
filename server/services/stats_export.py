"""附件6 统计表 (一) and (二) as one .xlsx workbook laid out like the official forms: a title, the
reporting body and time, one row per county / industry union (or the unit itself) and a total
row, then how each figure was computed; a third sheet gives the skill-grade promotions by area
(not on the form; 优秀组织奖 item 8 scores them). Counts are in 家/人 (the form's 万 is for provincial
totals; a city's figures read better whole). Shapes: annex6_xlsx(user, org_id, season_id) -> bytes."""
from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from ..texts import lookup, t
from ..timeutil import to_china, utcnow
from . import stats

_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_RATE = "0.0%"


def _row1(name: str, tbl: dict) -> list:
    e, so, np_, pi = tbl["enterprises"], tbl["state_owned"], tbl["non_public"], tbl["public_institution"]
    return [name, e["units_taking_part"], e["unit_rate"], so["units_taking_part"], so["unit_rate"],
            np_["units_taking_part"], np_["unit_rate"], e["people_taking_part"], e["people_rate"],
            pi["units_taking_part"], pi["unit_rate"], pi["people_taking_part"], pi["people_rate"],
            e["model_key_taking_part"], pi["model_key_taking_part"], tbl["all_units"]["benefit_wan_yuan"],
            tbl["all_units"]["entries"], tbl["all_units"]["patented"], tbl["all_units"]["applied"]]


def _row2(label: str, g: dict) -> list:
    return [label, g["units_taking_part"], g["people_taking_part"], g["benefit_wan_yuan"], g["entries"],
            g["patented"], g["applied"]]


def _sheet(ws, title: str, header: list[str], rows: list[list], rate_columns: set[int], data: dict) -> None:
    width = len(header)
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws["A1"].font = Font(size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    at = to_china(utcnow()).strftime("%Y-%m-%d %H:%M")
    ws.append([t("stats.annex6.filled_by", org=data["org"].name, season=data["season"].name, at=at)])
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    ws.append(header)
    for i, row in enumerate(rows, start=1):
        ws.append([i if row[0] != t("stats.annex6.total") else ""] + row)
    for r in ws.iter_rows(min_row=3, max_row=ws.max_row, max_col=width):
        for cell in r:
            cell.border = _BOX
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            if cell.row > 3 and cell.column in rate_columns:
                cell.number_format = _RATE
    for cell in ws[3]:
        cell.font = Font(bold=True)
    ws.row_dimensions[3].height = 48
    for col in range(1, width + 1):
        ws.column_dimensions[get_column_letter(col)].width = 22 if col == 2 else 12
    ws.append([])
    ws.append([t("stats.annex6.notes")])
    for text in data["definitions"].values():
        ws.append([text])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=width)


def annex6_xlsx(user, org_id: int, season_id: int) -> bytes:
    data = stats.annex6(user, org_id, season_id, by_area=True)
    total = t("stats.annex6.total")
    wb = Workbook()
    ws1 = wb.active
    ws1.title = "统计表（一）"
    rows1 = [_row1(area.name, t1) for area, t1, _ in data["areas"]] + [_row1(total, data["table1"])]
    # columns (1-based): 4 6 8 10 12 14 are the rates
    _sheet(ws1, t("stats.annex6.title1"), lookup("stats.annex6.columns1"), rows1, {4, 6, 8, 10, 12, 14}, data)
    ws2 = wb.create_sheet("统计表（二）")
    systems = lookup("catalog.systems")
    rows2 = [_row2(systems[s], data["table2"][s]) for s in stats.TABLE2_SYSTEMS]
    totals = {k: sum(data["table2"][s][k] for s in stats.TABLE2_SYSTEMS)
              for k in ("units_taking_part", "people_taking_part", "benefit_wan_yuan", "entries", "patented", "applied")}
    rows2.append(_row2(total, totals))
    _sheet(ws2, t("stats.annex6.title2"), lookup("stats.annex6.columns2"), rows2, set(), data)
    # Not on the official form: a third sheet a reader looks for beside it (RULES.md 优秀组织奖 item 8).
    ws3 = wb.create_sheet(t("stats.annex6.sheet3"))
    rows3 = [[r["area"], r["promotions"], r["confirmed"], r["from_reports"], r["pending"]] for r in data["promotions"]]
    _sheet(ws3, t("stats.annex6.title3"), lookup("stats.annex6.columns3"), rows3, set(),
           {**data, "definitions": {"skill_promotions": data["definitions"]["skill_promotions"]}})
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
