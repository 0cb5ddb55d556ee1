"""Issuing: one certificate per award, idempotent, serial unique across seasons and carrying
the season, an outbox event for the holder; results_released queues the season's job; key
rotation keeps older certificates valid."""
from __future__ import annotations

from sqlalchemy import func, select

from server.extensions import db, queue
from server.models import Certificate, Delivery, OutboxEvent
from server.services import notify
from server.services.certificates import codec, issue, keys, render
from server.services.certificates.verify import check
from tests.factories import make_awarded, make_entry, make_season, make_tree, make_user


def _query(cert: Certificate) -> dict:
    return {"d": [cert.payload], "k": [cert.key.kid], "sig": [cert.signature]}


def test_one_certificate_per_award_issued_twice_is_the_same(ctx):
    tree = make_tree()
    user = make_user("张建国", ("participant", tree.unit))
    entry = make_awarded(user, "first")
    plain = make_entry(user, status="decided", complete=True)          # no award: no certificate
    db.session.commit()
    first = issue.issue_for_entry(entry.id)
    again = issue.issue_for_entry(entry.id)
    assert first.id == again.id and issue.issue_for_entry(plain.id) is None
    assert db.session.scalar(select(func.count(Certificate.id))) == 1
    assert first.holder_name == "张建国" and first.holder_user_id == user.id and first.award == "first"
    assert first.serial == f"WX{entry.season.year}-{entry.season_id}-{entry.id:05d}"
    events = db.session.scalars(select(OutboxEvent).where(OutboxEvent.kind == "certificate_issued")).all()
    assert [e.payload for e in events] == [{"certificate_id": first.id}]


def test_season_run_issues_every_award_and_serials_differ_across_seasons(ctx):
    tree = make_tree()
    user = make_user("李梅", ("participant", tree.unit))
    s1, s2 = make_season(name="赛季甲"), make_season(name="赛季乙")
    awards = ["special", "first", "second", "third", "excellent"]
    for award in awards:
        make_awarded(user, award, season=s1)
    other = make_awarded(user, "first", season=s2)
    db.session.commit()
    assert issue.issue_for_season(s1.id) == 5
    assert issue.issue_for_season(s1.id) == 5                      # the job ran twice
    certs = db.session.scalars(select(Certificate).order_by(Certificate.id)).all()
    assert [c.award for c in certs] == awards
    issue.issue_for_season(s2.id)
    serials = set(db.session.scalars(select(Certificate.serial)))
    assert len(serials) == 6 and f"WX{other.season.year}-{s2.id}-{other.id:05d}" in serials


def test_results_released_queues_the_issuing_job_and_the_holder_is_told(ctx, wx):
    tree = make_tree()
    user = make_user("王强", ("participant", tree.unit))
    entry = make_awarded(user, "second")
    event = OutboxEvent(kind="results_released", payload={"season_id": entry.season_id})
    db.session.add(event)
    db.session.commit()
    notify.handle_event(event.id)
    jobs = queue("low").jobs
    assert [(j.func_name, j.args) for j in jobs] == [("workers.certificates.issue_season", (entry.season_id,))]
    assert issue.issue_for_season(*jobs[0].args) == 1
    renders = [j for j in queue("low").jobs if j.func_name == "workers.certificates.render_files"]
    cert = db.session.scalar(select(Certificate))
    assert [j.args for j in renders] == [([cert.id],)]
    assert render.render_files(*renders[0].args) == 1 == render.render_files(*renders[0].args)   # twice: same
    assert render.stored_path(cert.serial, "pdf").read_bytes()[:5] == b"%PDF-"
    assert render.stored_path(cert.serial, "png").read_bytes()[:4] == b"\x89PNG"
    issued = db.session.scalar(select(OutboxEvent).where(OutboxEvent.kind == "certificate_issued"))
    notify.handle_event(issued.id)
    delivery = db.session.scalar(select(Delivery))
    assert delivery.user_id == user.id and delivery.template == "certificate_issued"
    assert delivery.data["award"] == "二等奖" and delivery.data["serial"].startswith("WX")


def test_rotation_keeps_older_certificates_valid(ctx):
    tree = make_tree()
    user = make_user("赵磊", ("participant", tree.unit))
    old_entry, new_entry = make_awarded(user, "first"), make_awarded(user, "third")
    db.session.commit()
    old = issue.issue_for_entry(old_entry.id)
    old_kid = old.key.kid
    new_key = keys.rotate()
    new = issue.issue_for_entry(new_entry.id)
    assert new.key.kid == new_key.kid != old_kid
    doc = keys.public_keys_document()
    assert [k["kid"] for k in doc["keys"]] == [old_kid, new_key.kid]
    assert doc["keys"][0]["valid_until"] and doc["keys"][1]["valid_until"] is None
    for cert in (old, new):
        assert check(cert.serial, _query(cert))["status"] == "valid"
        assert codec.check_signature(cert.serial, cert.payload, cert.key.kid, cert.signature, doc).status == "valid"


def test_private_key_is_stored_encrypted(ctx):
    key = keys.current_key()
    assert key.public_key not in key.private_key_enc and len(key.private_key_enc) > 80
    assert keys.private_key(key).public_key() is not None


def test_issue_16s_release_issues_the_winners_certificates_end_to_end(ctx, wx):
    """The real release (issue 16) → its results_released event → the handler queues the season
    job → one certificate per award, told to each leader; a second run changes nothing."""
    from server.services import results
    from tests.integration.test_scoring_exports import scored_world
    w = scored_world()
    outcome = results.release(w.admin, w.season)
    event = db.session.scalar(select(OutboxEvent).where(OutboxEvent.kind == "results_released"))
    notify.handle_event(event.id)
    job = next(j for j in queue("low").jobs if j.func_name == "workers.certificates.issue_season")
    issued = issue.issue_for_season(*job.args)
    awarded = sum(n for award, n in outcome["awards"].items() if award != "none")
    assert issued == awarded > 0 and issue.issue_for_season(*job.args) == awarded
    certs = db.session.scalars(select(Certificate).order_by(Certificate.id)).all()
    assert {c.holder_name for c in certs} <= {e.leader.name for e in w.entries}
    for cert in certs:
        assert check(cert.serial, _query(cert))["status"] == "valid"
    told = db.session.scalars(select(OutboxEvent).where(OutboxEvent.kind == "certificate_issued")).all()
    assert len(told) == awarded


def test_a_season_run_meeting_another_workers_certificate_falls_back_and_issues_each_once(ctx, monkeypatch):
    """The season's run issues a batch per transaction; when another worker issued one of the
    batch meanwhile, the batch is rolled back and issued one at a time: no duplicate, none lost."""
    tree = make_tree()
    user = make_user("赵敏", ("participant", tree.unit))
    season = make_season()
    entries = [make_awarded(user, "third", season=season) for _ in range(4)]
    db.session.commit()
    real = issue.current_key
    raced = []

    def racing_key():
        if not raced:                      # another worker, between our look and our insert
            raced.append(None)
            raced[0] = issue.issue_for_entry(entries[2].id).id
        return real()

    monkeypatch.setattr(issue, "current_key", racing_key)
    ids = issue.issue_for_season(season.id)
    assert ids == 4
    certs = db.session.scalars(select(Certificate).order_by(Certificate.entry_id)).all()
    assert [c.entry_id for c in certs] == [e.id for e in entries]
    assert next(c.id for c in certs if c.entry_id == entries[2].id) == raced[0]
    events = db.session.scalars(select(OutboxEvent).where(OutboxEvent.kind == "certificate_issued")).all()
    assert sorted(e.payload["certificate_id"] for e in events) == sorted(c.id for c in certs)
