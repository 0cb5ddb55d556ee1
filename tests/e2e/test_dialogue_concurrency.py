"""Two messages from one user at the same moment are serialised: both are applied, in some
order, and neither overwrites the other (through gunicorn with several workers)."""
from __future__ import annotations

import threading

import pytest
import requests

from server.extensions import db
from server.models import Conversation, Entry

from .processes import Gunicorn


@pytest.fixture(scope="module")
def web(app):
    server = Gunicorn(workers=3)
    yield server
    server.stop()


def test_simultaneous_messages_are_both_applied(web, seeded):
    token = requests.post(f"{web.url}/api/v1/auth/login", json={"code": "demo-participant"}, timeout=10).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    post = lambda text: requests.post(f"{web.url}/api/v1/dialogue/messages", json={"text": text},  # noqa: E731
                                      headers=headers, timeout=30)
    for round_ in range(4):
        assert post("申报").json()["state"]["step"] == "category"      # a fresh draft each round
        barrier = threading.Barrier(2)
        results = []

        def send(text):
            barrier.wait()
            results.append(post(text))

        # "2" and "3" are both valid for category and for industry: whichever comes second
        # must be read as the answer to the next question.
        threads = [threading.Thread(target=send, args=(t,)) for t in ("2", "3")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert [r.status_code for r in results] == [200, 200], [r.text for r in results]
        db.session.expire_all()
        conv = db.session.scalar(db.select(Conversation))
        entry = db.session.get(Entry, conv.entry_id)
        assert conv.history == ["category", "industry"], (conv.history, [r.json()["replies"] for r in results])
        assert entry.category in ("equipment", "process") and entry.industry in ("电力", "冶金")
        assert conv.step == "title"
        assert {r.json()["entry_id"] for r in results} == {entry.id}
        post("放弃")
        assert post("是").json()["state"]["step"] is None
