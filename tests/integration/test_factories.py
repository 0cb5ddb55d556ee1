"""The factories in tests/factories.py make what the service would: a tree with right paths,
roles on it, seasons open or closed, and a complete entry that is truly valid."""
from __future__ import annotations

from server.extensions import db
from server.services import entries as entry_service
from server.services import status
from server.services.permissions import in_scope

from ..factories import make_entry, make_season, make_tree, make_user


def test_tree_paths_and_roles(ctx):
    tree = make_tree()
    assert tree.team.path == f"/{tree.city.id}/{tree.county.id}/{tree.unit.id}/{tree.team.id}/"
    assert [o.depth for o in (tree.city, tree.county, tree.unit, tree.team)] == [0, 1, 2, 3]
    admin = make_user("王芳", ("county_admin", tree.county))
    assert [(a.role, a.org_id) for a in admin.roles] == [("county_admin", tree.county.id)]
    assert in_scope(admin, tree.team) and not in_scope(admin, tree.city)


def test_season_windows(ctx):
    assert make_season("open").submission_open()
    for window, code in (("not_open", "window_not_open"), ("closed", "window_closed")):
        season = make_season(window)
        assert not season.submission_open()
        assert status.window_problem(season).code == code


def test_a_complete_entry_is_valid_and_a_draft_is_not(ctx):
    tree = make_tree()
    user = make_user("张建国", ("participant", tree.unit))
    submitted = make_entry(user, status="submitted")
    assert submitted.unit_id == tree.unit.id and submitted.leader.user_id == user.id
    assert entry_service.problems_for_submit(user, submitted) == []

    draft = make_entry(user, title="井下照明节能改造", category="environment_energy")
    missing = {p.field for p in entry_service.problems_for_submit(user, draft)}
    assert draft.status == "draft" and "title" not in missing and {"summary", "leader.name"} <= missing

    ready = make_entry(user, complete=True, patent__granted=False)
    assert ready.patent_number is None and entry_service.problems_for_submit(user, ready) == []
    entry_service.submit(user, ready)
    db.session.commit()
    assert ready.status == "submitted"
