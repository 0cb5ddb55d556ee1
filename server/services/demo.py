"""Demo data: the 2021 season of RULES.md, a season open for submissions today, Jincheng's
organisation tree and one user per role. Safe to run again (it updates in place)."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from ..extensions import db
from ..models import Organisation, RoleAssignment, Season, User
from ..texts import lookup
from ..timeutil import china_today
from ..wechat.sandbox import openid_for_code
from .orgs import add_org


def _categories() -> list[dict]:
    return [{"code": code, "label": label} for code, label in lookup("catalog.categories").items()]


def _months_back(day: date, months: int) -> str:
    index = day.year * 12 + day.month - 1 - months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _upsert_season(name: str, **fields) -> Season:
    season = db.session.scalar(select(Season).where(Season.name == name))
    if season is None:
        season = Season(name=name)
        db.session.add(season)
    for key, value in fields.items():
        setattr(season, key, value)
    return season


def _season_fields(seed: dict, year: int, organise, submit, review, publish, achievement) -> dict:
    return dict(year=year, organise_start=organise[0], organise_end=organise[1],
                submit_start=submit[0], submit_end=submit[1], review_start=review[0],
                review_end=review[1], publish_start=publish[0], publish_end=publish[1],
                achievement_from=achievement[0], achievement_to=achievement[1], grace_minutes=0,
                categories=_categories(), industries=list(seed["industries"]),
                targets=dict(seed["targets"]), reminders=dict(seed["reminders"]))


def seed_seasons(seed: dict, today: date) -> tuple[Season, Season]:
    s21 = seed["season_2021"]
    season_2021 = _upsert_season(s21["name"], **_season_fields(
        seed, s21["year"], s21["organise"], s21["submit"], s21["review"], s21["publish"],
        s21["achievement"]))
    # The demo season's ten-day window is open today, so a newcomer can submit at once.
    d = lambda n: today + timedelta(days=n)  # noqa: E731
    demo = _upsert_season(seed["demo_season_name"].format(year=today.year), **_season_fields(
        seed, today.year, (d(-90), d(-3)), (d(-2), d(7)), (d(8), d(27)), (d(28), d(120)),
        (_months_back(today, 24), f"{today.year:04d}-{today.month:02d}")))
    return season_2021, demo


def seed_tree(node: dict, parent: Organisation | None = None) -> dict[str, Organisation]:
    org = db.session.scalar(select(Organisation).where(
        Organisation.name == node["name"],
        Organisation.parent_id == (parent.id if parent else None)))
    attrs = {k: node.get(k) for k in ("unit_type", "system", "employee_count")}
    if org is None:
        org = add_org(node["name"], node["kind"], parent, **attrs)
    else:
        for key, value in attrs.items():
            setattr(org, key, value)
    by_name = {org.name: org}
    for child in node.get("children", []):
        by_name.update(seed_tree(child, org))
    return by_name


def seed_users(users: list[dict], orgs: dict[str, Organisation]) -> list[User]:
    out = []
    for spec in users:
        openid = openid_for_code(spec["code"])
        user = db.session.scalar(select(User).where(User.openid == openid))
        if user is None:
            user = User(openid=openid)
            db.session.add(user)
        user.name = spec["name"]
        db.session.flush()
        org = orgs[spec["org"]]
        if not any(a.role == spec["role"] and a.org_id == org.id for a in user.roles):
            user.roles.append(RoleAssignment(role=spec["role"], org_id=org.id))
        out.append(user)
    return out


def seed_demo(today: date | None = None) -> dict:
    seed = lookup("demo_seed")
    today = today or china_today()
    orgs = seed_tree(seed["tree"])
    season_2021, demo = seed_seasons(seed, today)
    # The demo seasons are the city's (issue 14: a season belongs to its organising node).
    organiser = next(o for o in orgs.values() if o.kind == "city")
    season_2021.org_id = demo.org_id = organiser.id
    seed_users(seed["users"], orgs)
    db.session.commit()
    return {"seasons": [season_2021.name, demo.name], "organisations": len(orgs),
            "users": [(spec["code"], spec["role"], spec["org"]) for spec in seed["users"]],
            "demo_season": demo}
