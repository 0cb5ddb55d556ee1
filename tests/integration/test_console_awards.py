"""Issue 18 items 5 and 6 in the console: the county fills the 优秀组织奖 evidence and hands the
sheet in, the city scores and decides (the sheet shown with its totals); a unit files its 附件5
application, the county and then the city give their opinion; refusals show on the page."""
from __future__ import annotations

import io
import re

from openpyxl import load_workbook
from sqlalchemy import select

from server.extensions import db
from server.models import OrgAwardSheet, Organisation, WinnerApplication

from .console import csrf_of, desk_login

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def org(name: str) -> Organisation:
    return db.session.scalar(select(Organisation).where(Organisation.name == name))


def test_the_county_fills_evidence_and_the_city_scores_and_decides(app, seeded):
    county = org("城区")
    cq, city = app.test_client(), app.test_client()
    token = desk_login(cq, "demo-county-admin")
    listing = cq.get("/console/org-awards")
    assert listing.status_code == 200 and "城区" in listing.text and "泽州县" not in listing.text
    assert "优秀组织奖" in cq.get("/console/").text                          # on the nav
    page = cq.get(f"/console/org-awards/{county.id}")
    assert page.status_code == 200 and page.text.count('data-source="computed"') == 4
    assert 'id="total">0.0<' in page.text or 'id="total">0<' in page.text
    res = cq.post(f"/console/org-awards/{county.id}/items/1/evidence",
                  data={"csrf_token": token, "note": "四方联席会议", "file": (io.BytesIO(PDF), "机构.pdf")},
                  content_type="multipart/form-data")
    assert res.status_code == 302
    bad = cq.post(f"/console/org-awards/{county.id}/items/2/evidence", data={"csrf_token": token, "note": ""},
                  content_type="multipart/form-data")
    assert bad.status_code == 400 and "至少一项" in bad.text and 'id="item-2"' in bad.text
    shown = cq.get(f"/console/org-awards/{county.id}").text
    assert "机构.pdf" in shown and "四方联席会议" in shown
    assert cq.post(f"/console/org-awards/{county.id}/submit", data={"csrf_token": token}).status_code == 302
    # the county cannot score: the page offers no score form and the post is refused
    assert 'class="inline score"' not in cq.get(f"/console/org-awards/{county.id}").text
    assert cq.post(f"/console/org-awards/{county.id}/items/1/score",
                   data={"csrf_token": token, "score": "5"}).status_code == 403
    ctoken = desk_login(city, "demo-city-admin")
    assert "城区" in city.get("/console/org-awards").text
    over = city.post(f"/console/org-awards/{county.id}/items/1/score", data={"csrf_token": ctoken, "score": "6"})
    assert over.status_code == 400 and "最高 5 分" in over.text
    for no, points in ((1, "5"), (2, "10"), (3, "10"), (4, "10"), (9, "5"), (10, "5")):
        assert city.post(f"/console/org-awards/{county.id}/items/{no}/score",
                         data={"csrf_token": ctoken, "score": points}).status_code == 302
    empty = city.post(f"/console/org-awards/{county.id}/decision",
                      data={"csrf_token": ctoken, "decision": "award", "reason": ""})
    assert empty.status_code == 400 and "理由" in empty.text
    done = city.post(f"/console/org-awards/{county.id}/decision",
                     data={"csrf_token": ctoken, "decision": "award", "reason": "机制健全"})
    assert done.status_code == 302
    final = city.get(f"/console/org-awards/{county.id}").text
    # evidence items all at their maximum (45); computed items: no units take part in the demo season
    assert re.search(r'id="evidence-total">45\.0<', final) and "已获奖" in final and "机制健全" in final
    assert db.session.scalar(select(OrgAwardSheet.status)) == "awarded"


def test_a_unit_files_and_the_county_then_the_city_give_opinions(app, seeded):
    unit, county, city = app.test_client(), app.test_client(), app.test_client()
    token = desk_login(unit, "demo-unit-admin")
    page = unit.get("/console/winners")
    assert page.status_code == 200 and 'name="employees"' in page.text and 'value="1200"' in page.text  # from the registry
    form = {"csrf_token": token, "org_id": str(org("晋城示范煤机制造有限公司").id), "legal_rep": "李卫东",
            "nature": "国有企业", "phone": "0356-2021234", "employees": "1200", "participants": "1500",
            "summary": "开展活动 12 次", "applicant_opinion": "同意申报"}
    bad = unit.post("/console/winners", data=form)
    assert bad.status_code == 400 and "多于职工总数" in bad.text and 'value="李卫东"' in bad.text   # what was typed stays
    assert db.session.scalar(select(WinnerApplication)) is None
    res = unit.post("/console/winners", data=form | {"participants": "900"})
    assert res.status_code == 302
    app_id = db.session.scalar(select(WinnerApplication.id))
    assert 'id="opinion-form"' not in unit.get(f"/console/winners/{app_id}").text     # the unit gives no opinion
    ctoken = desk_login(county, "demo-county-admin")
    refused = county.post(f"/console/winners/{app_id}/opinion",
                          data={"csrf_token": ctoken, "level": "county", "decision": "refuse", "comment": ""})
    assert refused.status_code == 400 and "理由" in refused.text
    assert county.post(f"/console/winners/{app_id}/opinion", data={
        "csrf_token": ctoken, "level": "county", "decision": "approve", "comment": "同意推荐"}).status_code == 302
    mtoken = desk_login(city, "demo-city-admin")
    page = city.get(f"/console/winners/{app_id}").text
    assert "赵丽萍" in page and "同意推荐" in page and "市级" in page
    assert city.post(f"/console/winners/{app_id}/opinion", data={
        "csrf_token": mtoken, "level": "city", "decision": "approve", "comment": "评为优胜单位"}).status_code == 302
    page = city.get(f"/console/winners/{app_id}").text
    assert "已获奖" in page and "陈明" in page and 'id="opinion-form"' not in page
    assert city.get(f"/console/winners/{app_id}/annex5.pdf").status_code == 404
    assert city.get(f"/console/winners/{app_id}/annex5.docx").status_code == 200
    sheet = city.get(f"/console/winners/{app_id}/annex5.xlsx")
    ws = load_workbook(io.BytesIO(sheet.data)).active
    assert ws["B4"].value == "晋城示范煤机制造有限公司" and ws["D6"].value == 0.75 and ws["B10"].value.startswith("同意。评为优胜单位（陈明，")
    assert csrf_of(page)
