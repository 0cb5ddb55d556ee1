"""The permission table, walked whole: every role (and a user with no role) against every
action, on objects inside and outside their scope. The expectations are written out here by
hand, not read from the table, so a wrong row fails."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from server.errors import Forbidden
from server.extensions import db
from server.models import Entry, Expert, ExpertConflict, Organisation, PanelSeat, Person, RoleAssignment, User
from server.models.user import ROLES
from server.services import policy, scopes
from server.services.orgs import add_org
from server.services.seasons import current_season
from server.timeutil import utcnow
from server.wechat.sandbox import openid_for_code

USERS = {   # key → demo login code (None: a user who logged in and holds no role)
    "participant": "demo-participant",        # participant @ 晋城示范煤机制造有限公司 (城区)
    "estation": "demo-estation",              # estation_agent @ 北义城镇西村乡村e站 (泽州县)
    "unit": "demo-unit-admin",                # unit_admin @ 晋城示范煤机制造有限公司
    "county": "demo-county-admin",            # county_admin @ 城区
    "county_zz": "demo-county-admin-zezhou",  # county_admin @ 泽州县
    "city": "demo-city-admin",                # city_admin @ 晋城市
    "expert": "demo-expert",                  # expert @ 晋城市
    "nobody": None,
}
EVERYONE = set(USERS)

# Objects: p_entry — the participant's, at 晋城示范煤机 (城区), leader linked to `nobody`;
# farm_entry — the agent's for a farmer, at 北义城镇西村乡村e站 (泽州县);
# own_entry — nobody's own, at 泽州示范电力检修有限公司 (泽州县); and three organisations.
EXPECTED: dict[tuple[str, str | None], set[str]] = {
    ("entry.create", None): EVERYONE,
    ("entry.file_for_farmer", None): {"estation"},
    ("org.list", None): EVERYONE,
    ("season.manage_reminders", None): {"city"},
    ("certificate.revoke", None): {"city"},
    ("certificate.manage", None): {"city"},
    # A certificate's holders (issue 17 item 7): a person's is the account it was issued to or the
    # leader's linked one; a unit's is the admins of that very organisation, not whoever was told.
    ("certificate.download", "cert_person"): {"participant"},
    ("certificate.download", "cert_linked"): {"nobody"},
    ("certificate.download", "cert_unit"): {"unit"},           # told: the participant, no admin
    ("certificate.download", "cert_county"): {"county"},
    # Drafts are their author's (and the agent's, for a farmer; and the leader's named on them):
    # the offices above read an entry once it was submitted (issue 13, item 15).
    ("entry.view", "p_entry"): {"participant", "nobody"},
    ("entry.view", "farm_entry"): {"estation"},
    ("entry.view", "own_entry"): {"nobody", "expert"},   # on own_entry's panel
    ("entry.view", "p_submitted"): {"participant", "nobody", "unit", "county", "city"},
    ("entry.view", "farm_submitted"): {"estation", "county_zz", "city"},
    ("entry.view", "own_withdrawn_draft"): {"nobody"},
    ("entry.view", "own_withdrawn_after_submit"): {"nobody", "county_zz", "city"},
    ("entry.edit", "p_entry"): {"participant"},
    ("entry.edit", "farm_entry"): {"estation"},
    ("entry.edit", "own_entry"): {"nobody"},
    ("entry.submit", "p_entry"): {"participant"},
    ("entry.submit", "farm_entry"): {"estation"},
    ("entry.submit", "own_entry"): {"nobody"},
    ("entry.withdraw", "p_entry"): {"participant"},
    ("entry.withdraw", "farm_entry"): {"estation"},
    ("entry.withdraw", "own_entry"): {"nobody"},
    # Review acts need a submitted entry with its route: drafts are nobody's to review
    # (tests/integration/test_review_policy.py walks every role × act on routed entries).
    ("entry.review_unit", "p_entry"): set(),
    ("entry.review_unit", "farm_entry"): set(),
    ("entry.review_county", "own_entry"): set(),
    ("entry.review_city", "p_entry"): set(),
    ("review.sheet", "cq_unit"): {"unit", "county", "city"},
    ("review.sheet", "zz_station"): {"county_zz", "city"},
    ("review.sheet", "city_org"): {"city"},
    ("org.view", "cq_unit"): {"unit", "county", "city"},
    ("org.view", "zz_station"): {"county_zz", "city"},
    ("org.view", "city_org"): {"city"},
    # The office console (issue 14).
    ("console.enter", None): {"estation", "unit", "county", "county_zz", "city", "expert"},
    ("season.manage", "city_org"): {"city"},
    ("season.manage", "cq_unit"): {"city"},
    ("org.manage", "cq_unit"): {"county", "city"},
    ("org.manage", "zz_station"): {"county_zz", "city"},
    ("org.manage", "city_org"): {"city"},
    ("people.view", "cq_unit"): {"county", "city"},
    ("people.view", "city_org"): {"city"},
    ("people.view_phone", None): {"city"},
    ("role.grant.unit_admin", "cq_unit"): {"county", "city"},
    ("role.grant.unit_admin", "zz_station"): {"county_zz", "city"},
    ("role.grant.estation_agent", "zz_station"): {"county_zz", "city"},
    ("role.grant.county_admin", "cq_unit"): {"city"},
    ("role.grant.city_admin", "city_org"): {"city"},
    ("role.grant.expert", "city_org"): {"city"},
    ("audit.view", "cq_unit"): {"county", "city"},
    ("audit.view", "zz_station"): {"county_zz", "city"},
    ("system.health", None): {"city"},
    # Scoring and results (issue 16): the expert sits on the panels of p_entry (declared
    # conflict: closed to him) and own_entry; the city office runs the rest.
    ("entry.score", "p_entry"): set(),
    ("entry.score", "farm_entry"): set(),
    ("entry.score", "own_entry"): {"expert"},
    ("scores.view", "p_entry"): {"city"},
    ("scores.view", "farm_entry"): {"city"},
    ("scores.view", "own_entry"): {"expert", "city"},
    ("score.start", None): {"expert"},
    ("expert.declare_conflict", None): {"expert"},
    ("expert.manage", None): {"city"},
    ("panel.manage", None): {"city"},
    ("results.view", None): {"city"},
    ("results.decide", "p_entry"): {"city"},
    ("results.decide", "farm_entry"): {"city"},
    ("results.decide", "own_entry"): {"city"},
    ("results.release", None): {"city"},
    ("results.export", None): {"city"},
    ("results.finalise", None): {"city"},
    ("objection.file", None): EVERYONE,
    ("objection.view", None): {"city"},
    ("objection.answer", None): {"city"},
    ("report.start", None): {"unit"},
    ("report.file", "cq_unit"): {"unit"},
    ("report.file", "zz_station"): set(),
    ("report.file", "city_org"): set(),
    ("report.view", "cq_unit"): {"unit", "county", "city"},
    ("report.view", "zz_station"): {"county_zz", "city"},
    ("report.view", "city_org"): {"city"},
    ("stats.view", "cq_unit"): {"unit", "county", "city"},
    ("stats.view", "zz_station"): {"county_zz", "city"},
    ("stats.view", "city_org"): {"city"},
    # The organisation awards (issue 18 items 5 and 6): evidence from the organisation (or the
    # county above it), scores and decisions from the city; 附件5 filed by the unit, the county's
    # opinion, then the city's.
    ("orgaward.view", "cq_unit"): {"unit", "county", "city"},
    ("orgaward.view", "zz_station"): {"county_zz", "city"},
    ("orgaward.view", "city_org"): {"city"},
    ("orgaward.evidence", "cq_unit"): {"unit", "county"},
    ("orgaward.evidence", "zz_station"): {"county_zz"},
    ("orgaward.evidence", "city_org"): set(),
    # evidence on 晋城示范煤机's sheet uploaded by its unit admin / by the 城区 county admin, and
    # on 西村e站's by the 泽州 county admin: the uploader (unit admin) or the county admin below
    ("orgaward.evidence_remove", "ev_by_unit"): {"unit", "county"},
    ("orgaward.evidence_remove", "ev_by_county"): {"county"},
    ("orgaward.evidence_remove", "ev_zz"): {"county_zz"},
    ("orgaward.evidence_remove", "cq_unit"): {"county"},       # the subtree row judges the node; "uploaded" needs a file
    ("orgaward.rules", "city_org"): {"city"},
    ("orgaward.rules", "cq_county"): {"city"},
    ("orgaward.score", "cq_unit"): {"city"},
    ("orgaward.score", "city_org"): {"city"},
    ("orgaward.decide", "zz_station"): {"city"},
    ("orgaward.decide", "city_org"): {"city"},
    ("winner.file", "cq_unit"): {"unit"},
    ("winner.file", "zz_station"): set(),
    ("winner.file", "city_org"): set(),
    ("winner.view", "cq_unit"): {"unit", "county", "city"},
    ("winner.view", "zz_station"): {"county_zz", "city"},
    ("winner.view", "city_org"): {"city"},
    ("winner.opinion_county", "cq_unit"): {"county"},
    ("winner.opinion_county", "zz_station"): {"county_zz"},
    ("winner.opinion_county", "city_org"): set(),
    ("winner.opinion_city", "cq_unit"): {"city"},
    ("winner.opinion_city", "zz_station"): {"city"},
    ("promotion.record", "cq_unit"): {"unit"},
    ("promotion.record", "zz_station"): set(),
    ("promotion.record", "city_org"): set(),
    ("promotion.confirm", "cq_unit"): {"unit"},
    ("promotion.confirm", "zz_station"): set(),
    ("promotion.view", "cq_unit"): {"unit", "county", "city"},
    ("promotion.view", "zz_station"): {"county_zz", "city"},
    ("promotion.view", "city_org"): {"city"},
    ("denominator.enter", "cq_county"): {"county"},
    ("denominator.enter", "cq_unit"): {"county"},          # in its subtree; the service wants a county
    ("denominator.enter", "zz_station"): {"county_zz"},
    ("denominator.enter", "city_org"): set(),
    ("denominator.view", "cq_county"): {"county", "city"},
    ("denominator.view", "city_org"): {"city"},
}


def org(name: str) -> Organisation:
    return db.session.scalar(select(Organisation).where(Organisation.name == name))


@pytest.fixture()
def world(seeded):
    users = {key: db.session.scalar(select(User).where(User.openid == openid_for_code(code)))
             for key, code in USERS.items() if code}
    users["nobody"] = User(openid="o-no-role", name="无角色")
    db.session.add(users["nobody"])
    db.session.flush()
    season_id = current_season().id
    leader = Person(name="无角色", user_id=users["nobody"].id)
    farmer = Person(name="王大伯", registered_by_id=users["estation"].id)
    objs = {
        "p_entry": Entry(season_id=season_id, created_by_id=users["participant"].id, status="draft",
                         unit_id=org("晋城示范煤机制造有限公司").id, leader=leader),
        "farm_entry": Entry(season_id=season_id, created_by_id=users["estation"].id, status="draft",
                            agent_id=users["estation"].id, applicant=farmer,
                            unit_id=org("北义城镇西村乡村e站").id),
        "own_entry": Entry(season_id=season_id, created_by_id=users["nobody"].id, status="draft",
                           unit_id=org("泽州示范电力检修有限公司").id),
        "p_submitted": Entry(season_id=season_id, created_by_id=users["participant"].id, status="submitted",
                             unit_id=org("晋城示范煤机制造有限公司").id, leader=leader, submitted_at=utcnow()),
        "farm_submitted": Entry(season_id=season_id, created_by_id=users["estation"].id, status="returned",
                                agent_id=users["estation"].id, applicant=farmer, submitted_at=utcnow(),
                                unit_id=org("北义城镇西村乡村e站").id),
        "own_withdrawn_draft": Entry(season_id=season_id, created_by_id=users["nobody"].id, status="withdrawn",
                                     unit_id=org("泽州示范电力检修有限公司").id),
        "own_withdrawn_after_submit": Entry(season_id=season_id, created_by_id=users["nobody"].id,
                                            status="withdrawn", submitted_at=utcnow(),
                                            unit_id=org("泽州示范电力检修有限公司").id),
    }
    db.session.add_all(objs.values())
    db.session.flush()
    expert = Expert(user_id=users["expert"].id, categories=[], industries=[])
    db.session.add(expert)
    db.session.flush()
    for key in ("p_entry", "own_entry"):
        db.session.add(PanelSeat(season_id=season_id, entry_id=objs[key].id, expert_id=expert.id))
    db.session.add(ExpertConflict(expert_id=expert.id, entry_id=objs["p_entry"].id, reason="同事"))
    db.session.commit()
    objs.update(cq_unit=org("晋城示范煤机制造有限公司"), zz_station=org("北义城镇西村乡村e站"),
                city_org=org("晋城市"), cq_county=org("城区"))
    objs.update(ev_by_unit=_evidence(season_id, objs["cq_unit"], users["unit"]),
                ev_by_county=_evidence(season_id, objs["cq_unit"], users["county"]),
                ev_zz=_evidence(season_id, objs["zz_station"], users["county_zz"]))
    objs.update(_certificates(users, objs, leader))
    db.session.commit()
    return users, objs


def _certificates(users: dict, objs: dict, leader: Person) -> dict:
    """Certificates as issued (not stored: the scopes read their holder columns)."""
    from server.models import Certificate
    return {"cert_person": Certificate(holder_kind="person", holder_user_id=users["participant"].id),
            "cert_linked": Certificate(holder_kind="person", holder_person_id=leader.id),
            "cert_unit": Certificate(holder_kind="org", holder_org_id=objs["cq_unit"].id,
                                     holder_user_id=users["participant"].id),
            "cert_county": Certificate(holder_kind="org", holder_org_id=objs["cq_county"].id)}


def _evidence(season_id: int, on: Organisation, by: User):
    """An evidence file on item 1 of the organisation's 优秀组织奖 sheet, uploaded by `by`."""
    from server.models import Attachment, OrgAwardEvidence, OrgAwardItem, OrgAwardSheet
    sheet = db.session.scalar(select(OrgAwardSheet).where(OrgAwardSheet.org_id == on.id))
    if sheet is None:
        sheet = OrgAwardSheet(season_id=season_id, org_id=on.id, org=on, status="open",
                              items=[OrgAwardItem(item_no=1)])
        db.session.add(sheet)
    attachment = Attachment(kind="other", filename="材料.pdf", content_type="application/pdf", size=1,
                            sha256="0" * 64, storage_key="x", uploaded_by_id=by.id)
    evidence = OrgAwardEvidence(attachment=attachment)
    sheet.items[0].evidence.append(evidence)
    db.session.flush()
    return evidence


def test_the_walk_covers_every_role_and_every_action(world):
    users, _ = world
    held = {a.role for u in users.values() for a in u.roles}
    assert held == set(ROLES) and users["nobody"].roles == []
    assert {action for action, _ in EXPECTED} == set(policy.ACTIONS)


@pytest.mark.parametrize("action,obj_key", list(EXPECTED))
def test_every_user_against_every_action(world, action, obj_key):
    users, objs = world
    obj = objs[obj_key] if obj_key else None
    got = {key for key, user in users.items() if policy.can(user, action, obj)}
    assert got == EXPECTED[(action, obj_key)], (action, obj_key)


def test_require_says_why_in_chinese(world):
    users, objs = world
    with pytest.raises(Forbidden) as denied:
        policy.require(users["unit"], "entry.edit", objs["p_entry"])
    assert denied.value.status == 403 and denied.value.code == "not_yours" and "填报人" in denied.value.message
    with pytest.raises(Forbidden) as denied:
        policy.require(users["county"], "season.manage_reminders")
    assert denied.value.code == "city_admin_only" and "市级" in denied.value.message
    with pytest.raises(Forbidden) as denied:
        policy.require(users["county_zz"], "entry.review_county", objs["p_entry"])
    assert denied.value.code == "review_not_allowed" and "县" in denied.value.message
    assert not policy.can(None, "entry.view", objs["p_entry"])                  # not logged in
    with pytest.raises(ValueError):
        policy.can(users["city"], "entry.veiw", objs["p_entry"])                 # a typo is a bug


def test_system_scope_covers_the_units_of_one_organising_system(world, monkeypatch):
    users, _ = world
    league = add_org("团市委", "city", org("晋城市"))
    league.system = "youth_league"
    other_city = add_org("长治市", "city", org("山西省"))
    far_unit = add_org("长治示范学院", "unit", other_city)
    far_unit.system = "youth_league"
    db.session.flush()
    college, union_unit = org("晋城示范职业技术学院"), org("晋城示范煤机制造有限公司")
    assert college.system == "youth_league" and union_unit.system == "union"
    assert scopes.system(users["nobody"], league, college)          # same system, in the city
    assert not scopes.system(users["nobody"], league, union_unit)   # another system
    assert not scopes.system(users["nobody"], league, far_unit)     # same system, another city
    assert not scopes.system(users["nobody"], org("城区"), college)  # held org has no system
    # A role row with the scope: a youth-league officer reads the youth-league units' entries.
    officer = User(openid="o-league")
    db.session.add(officer)
    db.session.flush()
    officer.roles.append(RoleAssignment(role="county_admin", org_id=league.id))
    db.session.flush()
    # The review chain's row: a network's county-level officer reads its system's units'
    # entries once submitted, never a draft (issue 13 item 15), and nothing of another system.
    for (status, submitted, unit), readable in SYSTEM_ROW.items():
        entry = Entry(season_id=world[1]["p_entry"].season_id, created_by_id=users["nobody"].id, status=status,
                      unit_id=(college if unit == "college" else union_unit).id,
                      submitted_at=utcnow() if submitted else None)
        db.session.add(entry)
        db.session.flush()
        assert policy.can(officer, "entry.view", entry) is readable, (status, submitted, unit)
    assert not policy.can(officer, "entry.view", world[1]["p_entry"])


# (status, ever submitted, unit) → may the youth-league officer read it
SYSTEM_ROW = {
    ("draft", False, "college"): False,
    ("withdrawn", False, "college"): False,          # withdrawn before it was ever submitted
    ("submitted", True, "college"): True,
    ("returned", True, "college"): True,
    ("draft", True, "college"): True,                # reopened after a return: it reached the office
    ("withdrawn", True, "college"): True,
    ("county_recommended", True, "college"): True,
    ("submitted", True, "union_unit"): False,        # another system
    ("draft", False, "union_unit"): False,
}


def test_assigned_scope_covers_a_panel_seat_without_a_conflict(world):
    users, objs = world
    assert scopes.assigned(users["expert"], org("晋城市"), objs["own_entry"])
    assert not scopes.assigned(users["expert"], org("晋城市"), objs["p_entry"])      # seat, but conflicted
    assert not scopes.assigned(users["expert"], org("晋城市"), objs["farm_entry"])   # no seat
    assert not scopes.assigned(users["city"], org("晋城市"), objs["own_entry"])      # not in the pool
    assert policy.roles_with("entry.view", "assigned") == ("expert",)


def test_managed_orgs_list_follows_the_table(world):
    from server.services.permissions import managed_orgs
    users, _ = world
    assert managed_orgs(users["nobody"]) == [] and managed_orgs(users["estation"]) == []
    assert managed_orgs(users["expert"]) == []
    unit = [o.name for o in managed_orgs(users["unit"])]
    assert unit == ["晋城示范煤机制造有限公司", "综采维修班"]
