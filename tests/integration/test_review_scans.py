"""The stamped 附件2 scan kept with a level's recommendation (issue 15 item 8)."""
from __future__ import annotations

import io

from server.extensions import db
from server.wechat.sandbox import openid_for_code

from ..factories import make_review_world
from ..helpers import auth_header, login

PDF = b"%PDF-1.4\n% stamped scan\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_upload_list_replace_and_scope(client, ctx):
    world = make_review_world()
    for key in ("county_cq", "county_zz", "unit_cq"):
        world.users[key].openid = openid_for_code(f"rvs-{key}")
    db.session.commit()
    h = {k: auth_header(login(client, f"rvs-{k}")["token"]) for k in ("county_cq", "county_zz", "unit_cq")}
    cq, season = world.orgs["cq"], world.season

    def post(who, content, name="推荐表盖章.pdf", org=cq):
        return client.post("/api/v1/review/recommendations", headers=h[who], content_type="multipart/form-data",
                           data={"file": (io.BytesIO(content), name), "org_id": str(org.id), "season_id": str(season.id)})

    res = post("county_cq", PDF)
    assert res.status_code == 201 and res.get_json()["level"] == "county"
    rec_id = res.get_json()["id"]
    assert post("county_zz", PDF).status_code == 403                           # another county's
    assert post("unit_cq", PDF).status_code == 403                             # a unit, for its county
    bad = post("county_cq", b"not a scan at all", name="x.txt")
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "bad_file_type"
    again = post("county_cq", PDF + b"% second scan\n")
    assert again.get_json()["id"] == rec_id                                    # one per level, replaced
    listed = client.get(f"/api/v1/review/recommendations?org_id={cq.id}&season_id={season.id}",
                        headers=h["county_cq"]).get_json()["recommendations"]
    assert [(r["id"], r["level"], r["content_type"]) for r in listed] == [(rec_id, "county", "application/pdf")]
    scan = client.get(f"/api/v1/review/recommendations/{rec_id}/scan", headers=h["county_cq"])
    assert scan.status_code == 200 and scan.data == PDF + b"% second scan\n"
    assert client.get(f"/api/v1/review/recommendations/{rec_id}/scan", headers=h["county_zz"]).status_code == 404
