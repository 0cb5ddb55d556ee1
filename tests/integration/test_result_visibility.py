"""Before the results are final a submitter never learns that the panel has finished (issue 16):
an entry in `scored` shows as 市级已受理 (accepted) to its filer — in GET /entries, GET
/entries/{id}, GET /me/entries, the dialogue's 我的申报 and in a refusal's wording — while the
city office sees `scored`; after the release the filer sees `decided` with the award."""
from __future__ import annotations

from server.extensions import db
from server.texts import t
from tests.helpers import auth_header, login

from .chat import Chat
from .test_publicity import scored


def test_scored_is_shown_as_accepted_until_final(client, ctx):
    w = scored(days=None)
    entry = w.entries[0]
    assert entry.status == "scored"
    filer = auth_header(login(client, "filer-0")["token"])
    admin = auth_header(login(client, "city-admin")["token"])
    accepted, scored_label = t("catalog.statuses.accepted"), t("catalog.statuses.scored")

    readings = {
        "list": lambda h: next(e for e in client.get("/api/v1/entries", headers=h).get_json()["entries"]
                               if e["id"] == entry.id),
        "one": lambda h: client.get(f"/api/v1/entries/{entry.id}", headers=h).get_json(),
        "mine": lambda h: next(e for e in client.get("/api/v1/me/entries", headers=h).get_json()["entries"]
                               if e["id"] == entry.id),
    }
    for name, read in readings.items():
        got = read(filer)
        assert (got["status"], got["status_label"]) == ("accepted", accepted), name
        assert scored_label not in str(got), name
    office = readings["one"](admin)
    assert (office["status"], office["status_label"]) == ("scored", scored_label)

    chat = Chat(client, "filer-0")
    reply = chat.say("我的申报")
    text = "\n".join(r["text"] for r in reply["replies"])
    assert "成果00" in text and accepted in text and scored_label not in text

    # A refusal does not tell either: withdrawing names the status the filer sees.
    res = client.post(f"/api/v1/entries/{entry.id}/withdraw", headers=filer)
    assert res.status_code in (403, 409)
    assert scored_label not in res.get_json()["error"]["message"]

    res = client.post(f"/api/v1/admin/seasons/{w.season.id}/release", headers=admin)
    assert res.status_code == 200
    db.session.expire_all()
    got = readings["one"](filer)
    assert (got["status"], got["award"]) == ("decided", "first")
