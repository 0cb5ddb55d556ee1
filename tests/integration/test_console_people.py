"""People and roles (issue 14 item 5): find with masked phones, grant and revoke over one's
subtree only, invite by phone (the role applies when the phone binds), all audited."""
from __future__ import annotations

from sqlalchemy import select

from server.extensions import db
from server.models import AuditEvent, Organisation, RoleInvitation, User
from server.wechat.sandbox import openid_for_code

from .chat import Chat
from .console import desk_login


def org(name: str) -> Organisation:
    return db.session.scalar(select(Organisation).where(Organisation.name == name))


def demo(code: str) -> User:
    return db.session.scalar(select(User).where(User.openid == openid_for_code(code)))


def test_invite_by_phone_applies_when_the_phone_binds(client, seeded):
    csrf = desk_login(client, "demo-county-admin")
    unit = org("晋城示范煤机制造有限公司")
    res = client.post("/console/people/invite", data={"csrf_token": csrf, "phone": "13912340001",
                                                      "role": "unit_admin", "org_id": unit.id})
    assert res.status_code == 302
    page = client.get("/console/people?invited=1").text
    assert "139****0001" in page and "13912340001" not in page            # masked for a county admin
    newcomer = Chat(client, "newcomer-1")
    assert newcomer.user["roles"] == []
    res = client.post("/api/v1/me/phone", json={"code": "phone-13912340001"}, headers=newcomer.headers)
    assert res.status_code == 200
    user = db.session.get(User, newcomer.user["id"])
    db.session.refresh(user)
    assert [(a.role, a.org_id) for a in user.roles] == [("unit_admin", unit.id)]
    assert db.session.scalar(select(RoleInvitation)).accepted_by_id == user.id
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert "role_invited" in actions and "invitation_accepted" in actions


def test_grant_and_revoke_within_the_subtree_only(client, seeded):
    csrf = desk_login(client, "demo-county-admin")
    participant = demo("demo-participant")
    unit, other = org("晋城示范煤机制造有限公司"), org("泽州示范电力检修有限公司")
    res = client.post(f"/console/people/{participant.id}/roles",
                      data={"csrf_token": csrf, "role": "unit_admin", "org_id": other.id})
    assert res.status_code == 403
    res = client.post(f"/console/people/{participant.id}/roles",
                      data={"csrf_token": csrf, "role": "city_admin", "org_id": unit.id})
    assert res.status_code == 403                                           # never a role above one's own
    res = client.post(f"/console/people/{participant.id}/roles", data={"csrf_token": csrf, "role": "", "org_id": ""})
    assert res.status_code == 400 and "请选择要授予的角色" in res.text
    res = client.post(f"/console/people/{participant.id}/roles",
                      data={"csrf_token": csrf, "role": "unit_admin", "org_id": unit.id})
    assert res.status_code == 302
    db.session.expire_all()
    granted = next(a for a in participant.roles if a.role == "unit_admin")
    page = client.get(f"/console/people/{participant.id}").text
    assert "授予角色" in page and "单位管理员" in page
    assert client.post(f"/console/people/roles/{granted.id}/revoke", data={"csrf_token": csrf}).status_code == 302
    zz_admin = next(a for a in demo("demo-county-admin-zezhou").roles)
    assert client.post(f"/console/people/roles/{zz_admin.id}/revoke", data={"csrf_token": csrf}).status_code == 403
    db.session.expire_all()
    assert [a.role for a in participant.roles] == ["participant"] and demo("demo-county-admin-zezhou").roles


def table(client, query: str) -> str:
    page = client.get("/console/people" + query).text
    return page[page.index('<table id="people">'):page.index("</table>")] + page[page.index('class="pager"'):][:200]


def test_find_pages_sorts_filters_and_masks(client, seeded):
    desk_login(client, "demo-city-admin")
    u = demo("demo-unit-admin")
    u.phone = "13700001111"
    db.session.commit()
    rows = table(client, "?q=王海&sort=name")
    assert "王海峰" in rows and "13700001111" in rows and "陈明" not in rows   # a city admin sees phones
    assert "王海峰" in table(client, "?q=13700001111")
    experts = table(client, "?role=expert")
    assert "王海峰" not in experts and "刘教授" in experts and "共 1 条" in experts
    everyone = table(client, "?sort=name&dir=desc")
    names = [n for n in ("陈明", "张建国", "王海峰") if n in everyone]
    assert len(names) == 3
    first_page = table(client, "?sort=name&page=1")
    assert "共 7 条，第 1/1 页" in first_page


def test_bad_phone_is_refused_next_to_the_field(client, seeded):
    csrf = desk_login(client, "demo-county-admin")
    res = client.post("/console/people/invite", data={"csrf_token": csrf, "phone": "1391234", "role": "unit_admin",
                                                      "org_id": org("城区").id})
    assert res.status_code == 400 and 'data-field="phone"' in res.text and "11 位" in res.text
    assert db.session.scalar(select(RoleInvitation)) is None
