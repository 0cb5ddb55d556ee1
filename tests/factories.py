"""Test data without HTTP turns: organisations (a city → county → unit → team tree with the
materialised path right), users with roles on them, seasons (submission window open today, not
yet open, or closed) and entries in any status — a draft with some fields, or a complete, valid
entry (the values a phone user gives in tests/integration/chat.py's ANSWERS, as stored).

Plain functions over the services and models; each flushes (ids are there) and leaves the
commit to the test. Use them inside an app context (the `ctx`, `client` or `seeded` fixtures)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from itertools import count

from server.extensions import db
from server.forms.values import set_value
from server.models import Entry, Organisation, RoleAssignment, Season, User
from server.services.orgs import add_org
from server.texts import lookup
from server.timeutil import china_today, utcnow

_serial = count(1)


# -- organisations ----------------------------------------------------------------------------
def make_org(name: str, kind: str, parent: Organisation | None = None, **attrs) -> Organisation:
    return add_org(name, kind, parent, **attrs)


@dataclass
class Tree:
    city: Organisation
    county: Organisation
    unit: Organisation
    team: Organisation


def make_tree(county: str = "城区", unit: str = "晋城示范煤机制造有限公司") -> Tree:
    """晋城市 → a county → a state-owned unit → its team (names as in demo_seed.yaml)."""
    city = make_org("晋城市", "city")
    county_org = make_org(county, "county", city)
    unit_org = make_org(unit, "unit", county_org, unit_type="state_owned", system="union", employee_count=1200)
    team = make_org("综采维修班", "team", unit_org)
    return Tree(city, county_org, unit_org, team)


# -- users ------------------------------------------------------------------------------------
def make_user(name: str = "张建国", *roles: tuple[str, Organisation], openid: str | None = None,
              phone: str | None = None) -> User:
    """make_user("王芳", ("county_admin", tree.county), ("expert", tree.city))."""
    user = User(openid=openid or f"o-factory-{next(_serial)}", name=name, phone=phone)
    user.roles = [RoleAssignment(role=role, org_id=org.id) for role, org in roles]
    db.session.add(user)
    db.session.flush()
    return user


# -- seasons ----------------------------------------------------------------------------------
def _month(day: date, back: int) -> str:
    index = day.year * 12 + day.month - 1 - back
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def make_season(window: str = "open", *, today: date | None = None, name: str | None = None,
                **fields) -> Season:
    """A season shaped like the demo one: window "open" (submission open today, China time),
    "not_open" (opens in 3 days) or "closed" (closed 3 days ago); achievement window the last
    24 months up to this month."""
    today = today or china_today()
    shift = {"open": 0, "not_open": 5, "closed": -10}[window]

    def d(n: int) -> date:
        return today + timedelta(days=n + shift)

    seed = lookup("demo_seed")
    values = {
        "name": name or f"测试赛季{next(_serial)}", "year": today.year,
        "organise_start": d(-90), "organise_end": d(-3), "submit_start": d(-2), "submit_end": d(7),
        "review_start": d(8), "review_end": d(27), "publish_start": d(28), "publish_end": d(120),
        "achievement_from": _month(today, 24), "achievement_to": _month(today, 0), "grace_minutes": 0,
        "categories": [{"code": c, "label": label} for c, label in lookup("catalog.categories").items()],
        "industries": list(seed["industries"]), "targets": dict(seed["targets"]),
        "reminders": dict(seed["reminders"])}
    values.update(fields)
    season = Season(**values)
    db.session.add(season)
    db.session.flush()
    return season


# -- entries ----------------------------------------------------------------------------------
def complete_values(leader_name: str = "张建国", today: date | None = None) -> dict[str, object]:
    """Every required canonical field of a valid entry, as the dialogue stores them."""
    today = today or china_today()
    granted = today.replace(day=15) if today.day >= 15 else today.replace(day=1)
    return {
        "category": "equipment", "industry": "煤炭", "title": "皮带输送机自动纠偏装置",
        "started_on": _month(today, 12), "completed_on": _month(today, 3),
        "applied_on": _month(today, 2), "in_production": True, "funded_project": False,
        "patent.granted": True, "patent.number": "ZL202021234567.2", "patent.announced_on": granted,
        "summary": "针对皮带跑偏频繁停机的问题，加装自动纠偏装置，跑偏停机由每月12次降到1次，年节约维修费8万元。",
        "benefit.kind": "economic", "benefit.amount": Decimal("50.00"),
        "leader.name": leader_name, "leader.occupation": "employee", "leader.gender": "male", "leader.birth_month": "1985-06",
        "leader.phone": "13912345678", "leader.work_start": "2006-07", "leader.political_status": "中共党员",
        "leader.skill_level": "技师", "leader.education": "大学专科", "leader.highest_honor": "晋城市五一劳动奖章",
        "leader.bio": "2006年参加工作，一直从事综采设备维修，先后任维修工、班长。",
        "leader.deeds": "带领班组5人攻关3个月，完成设计、试制和改进，装置运行稳定。",
        "filled_by": leader_name, "responsible_person": "李华",
    }


def make_entry(user: User, *, status: str = "draft", complete: bool | None = None,
               season: Season | None = None, unit: Organisation | None = None, **fields) -> Entry:
    """An entry of `user` in any status. complete (the default for any status but draft) fills
    every required field with valid values, the user as leader; `fields` (canonical names with
    "." written "__": patent__granted=False) are set on top. A status past draft gets a
    submitted_at. No audit trail, no outbox event: to test what submitting does, make a
    complete draft and call server.services.entries.submit."""
    season = season or make_season()
    entry = Entry(season_id=season.id, created_by_id=user.id, status=status)
    if unit is None:
        units = [a.org for a in user.roles if a.org.files_entries]
        unit = units[0] if units else None
    entry.unit_id = unit.id if unit else None
    db.session.add(entry)
    if complete if complete is not None else status != "draft":
        for field, value in complete_values(user.name or "张建国").items():
            set_value(entry, field, value)
    for field, value in fields.items():           # on top: what no longer applies is cleared
        set_value(entry, field.replace("__", "."), value)
    if entry.leader is not None and entry.leader.name == user.name:
        entry.leader.user_id = user.id            # "我本人": the user leads it
    if status != "draft":
        entry.submitted_at = utcnow()
    db.session.flush()
    if status not in ("draft", "withdrawn") and entry.unit_id is not None:
        from server.services.review.route import ensure
        ensure(entry)                             # its review route, as submitting fixes it
        db.session.flush()
    return entry


# -- the review chain -------------------------------------------------------------------------
@dataclass
class ReviewWorld:
    """晋城市 → 城区 (with 团县委, youth league) and 泽州县 → units; an industry union; a unit directly
    under the city with no admin; an e-station whose agent is also its unit admin. `orgs` and
    `users` by short key (users: "unit_cq", "unit_zz", "unit_iu", "county_cq", "county_zz",
    "iu", "league", "city", "agent", "p_cq", "p_zz", "p_iu", "p_direct", "p_college", "nobody")."""
    season: Season
    orgs: dict
    users: dict


def make_review_world(season: Season | None = None) -> ReviewWorld:
    season = season or make_season()
    city = make_org("晋城市", "city")
    cq = make_org("城区", "county", city)
    zz = make_org("泽州县", "county", city)
    iu = make_org("晋城市电力产业工会", "industry_union", city)
    orgs = {
        "city": city, "cq": cq, "zz": zz, "iu": iu,
        "league": make_org("共青团城区委员会", "county", cq, system="youth_league"),
        "u_cq": make_org("晋城示范煤机制造有限公司", "unit", cq, unit_type="state_owned", system="union"),
        "u_zz": make_org("泽州示范电力检修有限公司", "unit", zz, unit_type="state_owned", system="union"),
        "u_iu": make_org("晋城示范发电有限公司", "unit", iu, unit_type="state_owned", system="union"),
        "u_direct": make_org("晋城市直属示范医院", "unit", city, unit_type="public_institution", system="union"),
        "college": make_org("晋城示范职业技术学院", "unit", cq, unit_type="college", system="youth_league"),
        "station": make_org("北义城镇西村乡村e站", "unit", zz, unit_type="estation", system="union"),
    }
    users = {
        "unit_cq": make_user("单位管理员甲", ("unit_admin", orgs["u_cq"])),
        "unit_zz": make_user("单位管理员乙", ("unit_admin", orgs["u_zz"])),
        "unit_iu": make_user("单位管理员丙", ("unit_admin", orgs["u_iu"])),
        "unit_college": make_user("学院团委", ("unit_admin", orgs["college"])),
        "county_cq": make_user("城区管理员", ("county_admin", cq)),
        "county_zz": make_user("泽州管理员", ("county_admin", zz)),
        "iu": make_user("产业工会管理员", ("county_admin", iu)),
        "league": make_user("团区委干部", ("county_admin", orgs["league"])),
        "city": make_user("市级管理员", ("city_admin", city)),
        "agent": make_user("e站工作人员", ("estation_agent", orgs["station"]), ("unit_admin", orgs["station"])),
        "p_cq": make_user("张建国", ("participant", orgs["u_cq"])),
        "p_zz": make_user("李明", ("participant", orgs["u_zz"])),
        "p_iu": make_user("王强", ("participant", orgs["u_iu"])),
        "p_direct": make_user("赵丽", ("participant", orgs["u_direct"])),
        "p_college": make_user("陈晨", ("participant", orgs["college"])),
        "nobody": make_user("无角色"),
    }
    return ReviewWorld(season, orgs, users)


def make_farmer_entry(world: ReviewWorld, status: str = "submitted", **fields) -> Entry:
    """An entry the e-station agent filed for a farmer, at the station."""
    from server.models import Person
    farmer = Person(name="王大伯", registered_by_id=world.users["agent"].id)
    db.session.add(farmer)
    db.session.flush()
    entry = make_entry(world.users["agent"], status=status, season=world.season, unit=world.orgs["station"],
                       **fields)
    entry.agent_id, entry.applicant_id = world.users["agent"].id, farmer.id
    db.session.flush()
    return entry


def make_awarded(user: User, award: str = "first", **kw) -> Entry:
    """A complete entry the results decided with `award` (special, first, ..., excellent), as
    issue 16's release leaves it."""
    entry = make_entry(user, status="decided", complete=True, **kw)
    entry.award = award
    db.session.flush()
    return entry


def make_unit_award(season: Season, org: Organisation, award: str = "winning_unit",
                    notify: User | None = None):
    """A unit's award (优胜单位 "winning_unit" or 优秀组织奖 "organisation") as the awards code
    decides it, issued through the one function it calls; returns the certificate."""
    from server.services.certificates.issue import issue_for_org_award
    return issue_for_org_award(season.id, org.id, award, notify_user_id=notify.id if notify else None)


# -- units' reports ---------------------------------------------------------------------------
def make_report(org: Organisation, period: str, *, by: User, activities: int = 1, participants: int = 10,
                entries: int = 0, promotions: int = 0, filed: bool = True):
    """A unit's monthly report for `period` ("YYYY-MM"), filed unless filed=False."""
    from server.models import UnitReport
    report = UnitReport(org_id=org.id, kind="month", period=period, activities=activities,
                        participants=participants, entries=entries, promotions=promotions,
                        created_by_id=by.id, filed_at=utcnow() if filed else None)
    db.session.add(report)
    db.session.flush()
    return report


def make_promotion(org: Organisation, *, by: User, to_grade: str = "grade3", from_grade: str | None = "grade4",
                   promoted_on: date | None = None, confirmed: bool = True, name: str = "王小明"):
    """A per-person skill-grade promotion of a unit (confirmed by `by` unless confirmed=False)."""
    from server.models import SkillPromotion
    row = SkillPromotion(org_id=org.id, person_name=name, from_grade=from_grade, to_grade=to_grade,
                         promoted_on=promoted_on or china_today(), recorded_by_id=by.id,
                         confirmed_by_id=by.id if confirmed else None, confirmed_at=utcnow() if confirmed else None)
    db.session.add(row)
    db.session.flush()
    return row
