"""flask seed-demo: the 2021 season, a demo season open today, Jincheng's tree, demo users."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from server.extensions import db
from server.models import Organisation, RoleAssignment, Season, User
from server.models.org import UNIT_TYPES
from server.models.user import ROLES
from server.services.seasons import current_season
from server.timeutil import china_today


def test_seed_is_complete_and_idempotent(app, ctx):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    counts = [db.session.scalar(select(func.count()).select_from(m)) for m in (Season, Organisation, User, RoleAssignment)]
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0
    assert [db.session.scalar(select(func.count()).select_from(m)) for m in (Season, Organisation, User, RoleAssignment)] == counts
    for code in ("demo-participant", "demo-estation", "demo-unit-admin", "demo-county-admin",
                 "demo-city-admin", "demo-expert"):
        assert code in first.output


def test_2021_season_follows_the_notice(seeded):
    s = db.session.scalar(select(Season).where(Season.year == 2021))
    assert (s.submit_start, s.submit_end) == (date(2021, 9, 1), date(2021, 9, 10))
    assert (s.review_start, s.review_end) == (date(2021, 9, 11), date(2021, 9, 30))
    assert (s.achievement_from, s.achievement_to) == ("2019-10", "2021-09")
    assert [c["code"] for c in s.categories] == ["product", "equipment", "process", "cost_management",
                                                 "environment_energy", "other"]
    assert {"煤炭", "电力", "冶金", "化工", "机械", "行政事业"} <= set(s.industries)
    assert s.targets == {"state_owned": 0.9, "non_public": 0.6, "public_institution": 0.7, "estation": 1.0}


def test_demo_season_is_open_today(seeded):
    season = current_season()
    assert season.name == seeded["demo_season"].name
    assert season.submission_open()
    assert season.submit_start <= china_today() <= season.submit_end
    assert season.achievement_to == china_today().strftime("%Y-%m")


def test_tree_covers_every_level_unit_type_and_role(seeded):
    orgs = db.session.scalars(select(Organisation)).all()
    assert {o.kind for o in orgs} == {"province", "city", "county", "industry_union", "unit", "team"}
    assert {o.unit_type for o in orgs if o.unit_type} >= set(UNIT_TYPES) - {"other"}
    counties = {o.name for o in orgs if o.kind == "county"}
    assert counties == {"城区", "泽州县", "高平市", "阳城县", "陵川县", "沁水县"}
    assert {a.role for a in db.session.scalars(select(RoleAssignment))} == set(ROLES)
    for o in orgs:   # the materialised path agrees with the parent links
        assert o.path == ((o.parent.path if o.parent else "/") + f"{o.id}/")
