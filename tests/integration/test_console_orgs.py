"""The organisation registry (issue 14 item 4): add, rename, move, retire within one's subtree
(403 and nothing changed outside it), duplicates refused, .xlsx import that names row and column
of every error and changes nothing, export and template."""
from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from server.extensions import db
from server.models import AuditEvent, Organisation
from server.services.org_excel import headers

from .console import desk_login


def org(name: str) -> Organisation:
    return db.session.scalar(select(Organisation).where(Organisation.name == name))


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Organisation))


def xlsx(rows, head=None) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(head or headers())
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


GOOD_ROWS = [["城区示范机械厂", "基层单位", "城区", "国有企业", "工会", 300, "是", None],
             ["机修班", "班组/院系/村组", "城区示范机械厂", None, None, 12, None, None]]


def upload(client, csrf, rows, head=None):
    return client.post("/console/orgs/import", data={"csrf_token": csrf, "file": (xlsx(rows, head), "units.xlsx")},
                       content_type="multipart/form-data")


def test_a_county_admin_adds_renames_moves_and_retires_in_their_subtree(client, seeded):
    csrf = desk_login(client, "demo-county-admin")
    county = org("城区")
    res = client.post(f"/console/orgs/{county.id}/children", data={
        "csrf_token": csrf, "name": "城区新单位", "kind": "unit", "unit_type": "non_public", "employee_count": "40"})
    assert res.status_code == 302
    unit = org("城区新单位")
    assert unit.path == f"{county.path}{unit.id}/" and unit.employee_count == 40
    dup = client.post(f"/console/orgs/{county.id}/children", data={"csrf_token": csrf, "name": "城区新单位", "kind": "unit"})
    assert dup.status_code == 400 and "不要重复添加" in dup.text
    res = client.post(f"/console/orgs/{unit.id}", data={"csrf_token": csrf, "name": "城区更名单位", "kind": "unit",
                                                       "employee_count": "4O"})
    assert res.status_code == 400 and "不是整数" in res.text
    client.post(f"/console/orgs/{unit.id}", data={"csrf_token": csrf, "name": "城区更名单位", "kind": "unit", "model_key": "1"})
    db.session.expire_all()
    assert unit.name == "城区更名单位" and unit.model_key is True
    host = org("晋城示范煤机制造有限公司")
    assert client.post(f"/console/orgs/{unit.id}/move", data={"csrf_token": csrf, "parent_id": host.id}).status_code == 302
    db.session.expire_all()
    assert unit.parent_id == host.id and unit.path == f"{host.path}{unit.id}/" and unit.depth == host.depth + 1
    assert client.post(f"/console/orgs/{unit.id}/retire", data={"csrf_token": csrf}).status_code == 302
    db.session.expire_all()
    assert unit.retired_at is not None
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "org",
                                                                 AuditEvent.object_id == unit.id)
                                 .order_by(AuditEvent.id)).all()
    assert actions == ["org_created", "org_updated", "org_moved", "org_retired"]   # the refused edit left none
    assert "移动机构" in client.get(f"/console/orgs/{unit.id}").text


def test_another_countys_node_is_403_and_unchanged(client, seeded):
    csrf = desk_login(client, "demo-county-admin")
    other = org("泽州县")
    before = count()
    for path, data in ((f"/console/orgs/{other.id}", {"name": "改名", "kind": "county"}),
                       (f"/console/orgs/{other.id}/children", {"name": "偷加", "kind": "unit"}),
                       (f"/console/orgs/{other.id}/retire", {})):
        res = client.post(path, data={"csrf_token": csrf, **data})
        assert res.status_code == 403 and "范围" in res.text
    assert client.get(f"/console/orgs/{other.id}").status_code == 403
    db.session.expire_all()
    assert org("泽州县").name == "泽州县" and count() == before
    mine = org("晋城示范煤机制造有限公司")
    res = client.post(f"/console/orgs/{mine.id}/move", data={"csrf_token": csrf, "parent_id": other.id})
    assert res.status_code == 403


@pytest.mark.parametrize("typed", ["99999999999999999999", "10000001"])
def test_an_absurd_employee_count_is_refused_next_to_the_field(client, seeded, typed):
    """Beyond the INTEGER column the edit used to fail with a 500; now it is a field error."""
    csrf = desk_login(client, "demo-county-admin")
    unit = org("晋城示范煤机制造有限公司")
    res = client.post(f"/console/orgs/{unit.id}", data={"csrf_token": csrf, "name": unit.name, "kind": "unit",
                                                       "employee_count": typed})
    assert res.status_code == 400 and "太大了" in res.text
    db.session.expire_all()
    assert unit.employee_count == 1200


def test_a_unit_admin_has_no_registry(client, seeded):
    desk_login(client, "demo-unit-admin")
    assert "组织机构" not in client.get("/console/").text
    assert client.get("/console/orgs").status_code == 403


def test_import_with_a_bad_row_changes_nothing_then_imports(client, seeded):
    csrf = desk_login(client, "demo-county-admin")
    before = count()
    bad = [GOOD_ROWS[0], ["坏单位", "基层单位", "城区", "国有企业", "工会", "三百", None, None], GOOD_ROWS[1]]
    res = upload(client, csrf, bad)
    assert res.status_code == 400 and "<td>3</td><td>F</td>" in res.text and "不是整数" in res.text
    assert count() == before
    res = upload(client, csrf, GOOD_ROWS)
    assert res.status_code == 302 and "imported=2" in res.headers["Location"]
    assert org("机修班").parent_id == org("城区示范机械厂").id and org("城区示范机械厂").model_key is True
    assert upload(client, csrf, GOOD_ROWS[:1]).status_code == 400          # a duplicate now


@pytest.mark.parametrize("rows,head,cell,words", [
    ([GOOD_ROWS[0]], ["名称", "类型"], "<td>1</td><td>B</td>", "表头不对"),
    ([["某单位", "基层单位", "不存在的上级", None, None, None, None, None]], None, "<td>2</td><td>C</td>", "找不到"),
    ([["某单位", "基层单位", "泽州县", None, None, None, None, None]], None, "<td>2</td><td>C</td>", "找不到"),
    ([["某单位", "工厂", "城区", None, None, None, None, None]], None, "<td>2</td><td>B</td>", "层级"),
    ([["某单位", "基层单位", "城区", None, None, None, None, "是"]], None, "<td>2</td><td>H</td>", "四方协调机构"),
    ([GOOD_ROWS[0], GOOD_ROWS[0]], None, "<td>3</td><td>A</td>", "出现了两次"),
    ([["某单位", "基层单位", "城区", None, None, 10 ** 9, None, None]], None, "<td>2</td><td>F</td>", "太大"),
])
def test_malformed_sheets_are_refused_with_row_and_column(client, seeded, rows, head, cell, words):
    csrf = desk_login(client, "demo-county-admin")
    before = count()
    res = upload(client, csrf, rows, head)
    assert res.status_code == 400 and cell in res.text and words in res.text, res.text[-2000:]
    assert count() == before


def test_not_an_xlsx_and_too_big(client, seeded):
    csrf = desk_login(client, "demo-county-admin")
    for content, words in ((b"name,kind\n", "不是 Excel"), (b"0" * (2 * 1024 * 1024 + 10), "文件太大")):
        res = client.post("/console/orgs/import", data={"csrf_token": csrf, "file": (io.BytesIO(content), "x.xlsx")},
                          content_type="multipart/form-data")
        assert res.status_code == 400 and words in res.text


def test_export_and_template(client, seeded):
    desk_login(client, "demo-county-admin")
    res = client.get("/console/orgs/export.xlsx")
    assert res.status_code == 200
    rows = list(load_workbook(io.BytesIO(res.data)).active.iter_rows(values_only=True))
    assert list(rows[0]) == headers()
    names = {r[0] for r in rows[1:]}
    assert "城区" in names and "晋城示范煤机制造有限公司" in names and "泽州县" not in names
    template = load_workbook(io.BytesIO(client.get("/console/orgs/template.xlsx").data)).active
    assert [c.value for c in template[1]] == headers()
