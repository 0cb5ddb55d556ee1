"""The organisation registry as .xlsx (issue 14 item 4): a template, an export of the actor's
subtree, and an import that checks every row first — any error (named by row and column)
and nothing is stored; otherwise every row is added in one transaction.

Columns (first row, exactly): 名称, 层级, 上级名称, 单位类型, 系统, 职工人数, 示范重点, 四方协调机构.
层级/单位类型/系统 take the Chinese names of the catalogue (or the codes); 上级名称 names a node
the importer manages or a row above in the same file."""
from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from ..errors import AppError
from ..extensions import db
from ..models import Organisation, User
from ..texts import lookup, t
from . import policy
from .audit import record
from .org_admin import _duplicate, clean, tree
from .orgs import add_org

COLUMNS = ("name", "kind", "parent", "unit_type", "system", "employee_count", "model_key", "four_party")
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
CATALOGUES = {"kind": "catalog.org_kinds", "unit_type": "catalog.unit_types", "system": "catalog.systems"}


def headers() -> list[str]:
    return [t(f"console.org_columns.{c}") for c in COLUMNS]


class ImportErrors(AppError):
    status = 400
    code = "import_invalid"

    def __init__(self, problems: list[dict]):
        self.problems = problems      # [{"row", "column", "message"}]
        first = problems[0]
        super().__init__("console.org_errors.import_failed", count=len(problems), row=first["row"],
                         column=first["column"], first=first["message"])


def _book(rows: list[list]) -> bytes:
    wb = Workbook(write_only=True)          # streams rows: a few times faster for a whole city
    ws = wb.create_sheet(t("console.org_sheet"))
    for i in range(1, len(COLUMNS) + 1):
        ws.column_dimensions[get_column_letter(i)].width = 18
    ws.append(headers())
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def template() -> bytes:
    return _book([lookup("console.org_template_example")])


def export(actor: User) -> bytes:
    labels = {k: lookup(v) for k, v in CATALOGUES.items()}
    yes, no = t("console.answer_yes"), t("console.answer_no")
    rows = []
    for org in tree(actor):
        if org.retired_at is not None:
            continue
        rows.append([org.name, labels["kind"].get(org.kind, org.kind), org.parent.name if org.parent else "",
                     labels["unit_type"].get(org.unit_type, "") if org.unit_type else "",
                     labels["system"].get(org.system, "") if org.system else "", org.employee_count,
                     yes if org.model_key else "", "" if org.four_party is None else (yes if org.four_party else no)])
    return _book(rows)


def _code(field: str, value) -> str:
    text = str(value or "").strip()
    if field in CATALOGUES:
        for code, label in lookup(CATALOGUES[field]).items():
            if text in (code, label):
                return code
    return text


def _read(content: bytes) -> list[tuple]:
    if len(content) > MAX_BYTES:
        raise ImportErrors([{"row": 1, "column": "A", "message": t("console.org_errors.too_big", mb=MAX_BYTES // 1024 // 1024)}])
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise ImportErrors([{"row": 1, "column": "A", "message": t("console.org_errors.not_xlsx")}])
    ws = wb.worksheets[0]
    rows = []
    for index, row in enumerate(ws.iter_rows(values_only=True), start=1):
        if index > MAX_ROWS + 1:
            raise ImportErrors([{"row": index, "column": "A", "message": t("console.org_errors.too_many_rows", max=MAX_ROWS)}])
        rows.append(tuple(row[:len(COLUMNS) + 5]))
    wb.close()
    return rows


def _check_headers(first: tuple) -> None:
    expected = headers()
    for i, label in enumerate(expected):
        got = str(first[i]).strip() if i < len(first) and first[i] is not None else ""
        if got != label:
            raise ImportErrors([{"row": 1, "column": get_column_letter(i + 1),
                                 "message": t("console.org_errors.wrong_column", expected=label, got=got or "空")}])


def import_xlsx(actor: User, content: bytes) -> int:
    rows = _read(content)
    if not rows:
        raise ImportErrors([{"row": 1, "column": "A", "message": t("console.org_errors.empty")}])
    _check_headers(rows[0])
    scope = {}
    for org in tree(actor):
        if org.retired_at is None and policy.can(actor, "org.manage", org):
            scope.setdefault(org.name, []).append(org)
    problems, planned, in_file = [], [], {}
    for number, row in enumerate(rows[1:], start=2):
        cells = dict(zip(COLUMNS, list(row) + [None] * len(COLUMNS)))
        if all(v in (None, "") for v in cells.values()):
            continue
        errors: dict = {}
        data = {k: _code(k, cells[k]) if k in CATALOGUES else cells[k] for k in COLUMNS}
        values = clean(data, None, errors)
        parent_name = str(cells["parent"] or "").strip()
        parents = scope.get(parent_name, [])
        if parent_name in in_file:
            parent = ("row", in_file[parent_name])
        elif len(parents) == 1:
            parent = ("org", parents[0])
        else:
            parent = None
            errors["parent"] = t("console.org_errors.parent_ambiguous" if parents else "console.org_errors.parent_missing",
                                 name=parent_name or "空")
        if "name" not in errors and values["name"] in in_file and parent and \
                in_file[values["name"]]["parent"] == parent:
            errors["name"] = t("console.org_errors.duplicate_in_file", name=values["name"])
        if parent and parent[0] == "org" and "name" not in errors and _duplicate(values["name"], parent[1].id):
            errors["name"] = t("console.org_errors.duplicate", name=values["name"], parent=parent_name)
        for field, message in errors.items():
            problems.append({"row": number, "column": get_column_letter(COLUMNS.index(field) + 1),
                             "message": message})
        if not errors:
            item = {"values": values, "parent": parent, "row": number}
            in_file[values["name"]] = item
            planned.append(item)
    if problems:
        raise ImportErrors(problems)
    made: dict[int, Organisation] = {}
    for item in planned:
        kind, ref = item["parent"]
        parent = ref if kind == "org" else made[ref["row"]]
        values = dict(item["values"])
        org = made[item["row"]] = add_org(values.pop("name"), values.pop("kind"), parent, **values)
        record(actor, "org_created", "org", org.id, data={"name": org.name, "parent": parent.name, "import_row": item["row"]})
    record(actor, "orgs_imported", "org", None, data={"count": len(made), "names": [o.name for o in made.values()][:50]})
    db.session.commit()
    return len(made)
