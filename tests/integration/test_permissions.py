"""Role scopes follow the organisation tree: a county admin sees their county, not the next."""
from __future__ import annotations

from sqlalchemy import select

from server.extensions import db
from server.models import Organisation, User
from server.services.permissions import in_scope, managed_orgs
from server.wechat.sandbox import openid_for_code

from ..helpers import auth_header, login


def org(name: str) -> Organisation:
    return db.session.scalar(select(Organisation).where(Organisation.name == name))


def user(code: str) -> User:
    return db.session.scalar(select(User).where(User.openid == openid_for_code(code)))


def test_county_scopes_do_not_overlap(seeded):
    chengqu_admin, zezhou_admin = user("demo-county-admin"), user("demo-county-admin-zezhou")
    chengqu_unit, zezhou_station = org("晋城示范煤机制造有限公司"), org("北义城镇西村乡村e站")
    team = org("综采维修班")
    assert in_scope(chengqu_admin, chengqu_unit) and in_scope(chengqu_admin, team)
    assert not in_scope(chengqu_admin, zezhou_station)
    assert in_scope(zezhou_admin, zezhou_station) and not in_scope(zezhou_admin, chengqu_unit)
    assert not in_scope(chengqu_admin, org("晋城市"))          # not upward
    assert in_scope(user("demo-city-admin"), zezhou_station)
    assert not in_scope(user("demo-participant"), chengqu_unit)  # participants manage nothing


def test_prefix_ids_do_not_leak(ctx):
    # Paths "/1/2/" and "/1/23/" share a textual prefix "/1/2"; the trailing slash keeps them apart.
    from server.services.orgs import add_org
    root = add_org("省", "province")
    orgs = [add_org(f"县{i}", "county", root) for i in range(25)]
    db.session.commit()
    a, b = next((x, y) for x in orgs for y in orgs
                if x is not y and str(y.id).startswith(str(x.id)))
    admin = User(openid="o-prefix")
    db.session.add(admin)
    db.session.flush()
    from server.models import RoleAssignment
    admin.roles.append(RoleAssignment(role="county_admin", org_id=a.id))
    db.session.commit()
    assert in_scope(admin, a) and not in_scope(admin, b)
    assert [o.id for o in managed_orgs(admin)] == [a.id]


def test_http_scope_checks_across_two_counties(client, seeded):
    chengqu = login(client, "demo-county-admin")["token"]
    zezhou = login(client, "demo-county-admin-zezhou")["token"]
    city = login(client, "demo-city-admin")["token"]
    participant = login(client, "demo-participant")["token"]
    cq_unit, zz_station = org("晋城示范煤机制造有限公司").id, org("北义城镇西村乡村e站").id

    res = client.get(f"/api/v1/orgs/{cq_unit}", headers=auth_header(chengqu))
    assert res.status_code == 200
    assert [c["name"] for c in res.get_json()["children"]] == ["综采维修班"]
    res = client.get(f"/api/v1/orgs/{zz_station}", headers=auth_header(chengqu))
    assert res.status_code == 403 and "范围" in res.get_json()["error"]["message"]
    assert client.get(f"/api/v1/orgs/{zz_station}", headers=auth_header(zezhou)).status_code == 200
    assert client.get(f"/api/v1/orgs/{cq_unit}", headers=auth_header(zezhou)).status_code == 403
    assert client.get(f"/api/v1/orgs/{zz_station}", headers=auth_header(city)).status_code == 200
    assert client.get(f"/api/v1/orgs/{cq_unit}", headers=auth_header(participant)).status_code == 403
    assert client.get("/api/v1/orgs/999999", headers=auth_header(city)).status_code == 404

    names = {o["name"] for o in client.get("/api/v1/orgs/managed", headers=auth_header(chengqu)).get_json()["orgs"]}
    assert "城区" in names and "晋城示范职业技术学院" in names
    assert "泽州县" not in names and "北义城镇西村乡村e站" not in names
    assert client.get("/api/v1/orgs/managed", headers=auth_header(participant)).get_json()["orgs"] == []
