"""The one migration upgrades and downgrades on the configured database (SQLite by default,
PostgreSQL in CI's second run), and matches the models exactly."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from server.extensions import db

TABLES = {"seasons", "organisations", "users", "role_assignments", "auth_sessions", "persons",
          "entries", "attachments", "audit_events", "conversations", "certificates", "signing_keys"}


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_down_and_up_again(ctx):
    assert TABLES <= _tables()
    downgrade(revision="base")
    assert _tables() == set()
    upgrade()
    assert TABLES <= _tables()


def test_migration_matches_the_models(ctx):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
    assert diff == []


def test_a_database_with_rows_at_0007_upgrades_to_head(ctx):
    """A deployment upgrades a database full of rows, which an empty test database never shows:
    on SQLite batch mode rebuilds tables that other rows point at (DROP TABLE organisations
    failed with foreign keys enforced, found by running scripts/run.sh on a database seeded the
    day before). Rows written at 0007 (the schema of the last landed stop) survive the upgrade."""
    db.session.remove()
    downgrade(revision="base")
    upgrade(revision="0007_season_settings")
    with db.engine.begin() as conn:
        run = conn.exec_driver_sql
        run("INSERT INTO organisations (id, parent_id, name, kind, path, depth) VALUES (1, NULL, '晋城市', 'city', '/1/', 0)")
        run("INSERT INTO organisations (id, parent_id, name, kind, unit_type, system, employee_count, path, depth) "
            "VALUES (2, 1, '示范厂', 'unit', 'state_owned', 'union', 100, '/1/2/', 1)")
        run("INSERT INTO users (id, openid, name, created_at) VALUES (1, 'o-1', '张建国', '2026-11-01 00:00:00')")
        run("INSERT INTO role_assignments (id, user_id, role, org_id) VALUES (1, 1, 'unit_admin', 2)")
        run("INSERT INTO seasons (id, name, year, organise_start, organise_end, submit_start, submit_end, review_start, "
            "review_end, publish_start, publish_end, achievement_from, achievement_to, grace_minutes, categories, "
            "industries, targets, reminders, created_at, settings) VALUES (1, '旧赛季', 2026, '2026-05-01', '2026-08-31', "
            "'2026-09-01', '2026-09-10', '2026-09-11', '2026-09-30', '2026-10-01', '2026-12-31', '2024-10', '2026-09', 0, "
            "'[]', '[]', '{}', '{}', '2026-11-01 00:00:00', '{}')")
        run("INSERT INTO entries (id, season_id, status, created_by_id, unit_id, title, version, created_at, updated_at) "
            "VALUES (1, 1, 'submitted', 1, 2, '旧成果', 1, '2026-11-01 00:00:00', '2026-11-01 00:00:00')")
    upgrade()
    with db.engine.connect() as conn:
        run = conn.exec_driver_sql
        assert run("SELECT count(*) FROM organisations").scalar() == 2
        assert run("SELECT title, unit_id, season_id FROM entries").one() == ("旧成果", 2, 1)
        assert run("SELECT org_id FROM seasons").scalar() == 1          # the one city organises it
        if conn.dialect.name == "sqlite":
            assert run("PRAGMA foreign_keys").scalar() == 1             # enforcement is back on
            assert run("PRAGMA foreign_key_check").fetchall() == []


def test_a_seeded_database_goes_back_to_0007_and_up_again(seeded):
    """A deployment upgrades a database full of rows, which the empty test database never shows:
    on SQLite batch mode rebuilds tables that other rows point at (organisations, seasons,
    entries). Seeded at head, down to this session's first revision and up again, rows kept."""
    from sqlalchemy import func, select

    from server.models import Entry, Organisation, Season, User
    from tests.factories import make_entry

    participant = db.session.scalar(select(User).where(User.name == "张建国"))
    make_entry(participant, status="submitted", season=seeded["demo_season"])
    db.session.commit()
    counts = {m: db.session.scalar(select(func.count()).select_from(m)) for m in (Organisation, Season, Entry)}
    db.session.remove()
    downgrade(revision="0007_season_settings")
    upgrade()
    assert {m: db.session.scalar(select(func.count()).select_from(m)) for m in counts} == counts
    with db.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1     # enforcement is back


def test_0017_keys_and_pairs_the_entries_already_submitted(seeded):
    """Entries submitted before 0017 get their leader keys and duplicate pairs from the migration
    (the application's own functions), so near duplicates among them are flagged at once."""
    from sqlalchemy import select

    from server.models import DuplicateFlag, LeaderKey, User
    from tests.factories import make_entry

    participant = db.session.scalar(select(User).where(User.name == "张建国"))
    first = make_entry(participant, status="submitted", season=seeded["demo_season"], title="皮带自动纠偏装置",
                       leader__name="張建國")
    second = make_entry(participant, status="submitted", season=seeded["demo_season"], title="皮带自动纠偏装置",
                        leader__name="张健国")
    db.session.commit()
    first_id, second_id = first.id, second.id
    db.session.remove()
    downgrade(revision="0023_claimed_at")
    upgrade()
    keys = set(db.session.scalars(select(LeaderKey.key).where(LeaderKey.entry_id == first_id)))
    assert "张建国" in keys and "张*国" in keys
    pairs = set(db.session.execute(select(DuplicateFlag.entry_id, DuplicateFlag.other_id)).tuples())
    assert pairs == {(first_id, second_id), (second_id, first_id)}
