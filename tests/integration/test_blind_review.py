"""Blind review (盲评, season setting blind_review) on every surface where a panel expert reads an
entry: the assignments API, the entry API, the review detail API, the console's list and scoring
page, an attachment's download and the phone's scoring dialogue. Each surface is checked for
every piece of identifying data (services/scoring.BLIND_HIDES); whether a patent was granted and
when stays visible."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from urllib.parse import unquote

import pytest

from server.config import INSTANCE_DIR
from server.extensions import db
from server.forms.rubric import rubric_for
from server.models import Attachment, DuplicateFlag, Entry, PanelSeat
from server.services import panels
from server.services.audit import record
from tests.factories import make_user
from tests.helpers import auth_header, login

from .chat import Chat
from .console import desk_login
from .scoring_world import build, sheet_for

PATENT = "ZL202021234567.2"            # tests/factories.complete_values


@dataclass
class Blind:
    entry: Entry
    secrets: dict[str, str]            # what must not show: field → its value on this entry
    attachment: Attachment
    photo: Attachment


def _file(name: str, content: bytes, **attrs) -> Attachment:
    key = f"test/{hashlib.sha256(name.encode()).hexdigest()[:12]}"
    (INSTANCE_DIR / key).parent.mkdir(parents=True, exist_ok=True)
    (INSTANCE_DIR / key).write_bytes(content)
    a = Attachment(filename=name, size=len(content), sha256=hashlib.sha256(content).hexdigest(), storage_key=key,
                   **attrs)
    db.session.add(a)
    return a


def world(blind: bool) -> Blind:
    """Expert 2's entry with every kind of identifying data: leader (with phone and photo), unit,
    filer, responsible person, an e-station agent, a patent number, a file named after the leader,
    a history by named people with words, and a duplicate flag naming another leader."""
    w = build(n_entries=4, n_experts=4, **({"blind_review": True} if blind else {}))
    panels.assign(w.admin, w.season, 3)
    expert = w.experts[2]
    seats = {e for (e,) in db.session.execute(db.select(PanelSeat.entry_id).where(PanelSeat.expert_id == expert.id))}
    entry = next(e for e in w.entries if e.id in seats)
    other = next(e for e in w.entries if e.id != entry.id)
    other.leader.name = "另一位带头人赵六"
    unit = next(u for u in w.units if u.id == entry.unit_id)
    agent = make_user("e站工作人员孙七")
    entry.agent_id = agent.id
    entry.responsible_person = "负责人李华"
    attachment = _file(f"{entry.leader.name}的鉴定证书.pdf", b"%PDF-1.4 blind", entry_id=entry.id, kind="other",
                       content_type="application/pdf")
    photo = _file(f"{entry.leader.name}免冠照.jpg", b"\xff\xd8 photo", person_id=entry.leader_id, kind="photo",
                  content_type="image/jpeg", width=300, height=400)
    admin = make_user("单位管理员王五")
    record(admin, "entry_unit_confirmed", "entry", entry.id, reason="王五核实了带头人身份",
           data={"unit_id": unit.id, "note": "王五的备注"})
    db.session.add(DuplicateFlag(entry_id=entry.id, other_id=other.id))
    db.session.commit()
    secrets = {"leader.name": entry.leader.name, "leader.phone": entry.leader.phone,
               "leader.highest_honor": entry.leader.highest_honor, "leader.photo": photo.filename,
               "unit": unit.name, "responsible_person": "负责人李华", "agent": agent.name,
               "patent.number": PATENT, "attachment.filename": attachment.filename,
               "history.actor": admin.name, "history.reason": "王五核实了带头人身份", "history.data": "王五的备注",
               "duplicates": other.leader.name}
    assert entry.patent_number == PATENT and entry.patent_granted
    return Blind(entry, secrets, attachment, photo)


def _api(client, path: str) -> tuple[str, dict]:
    res = client.get(path, headers=auth_header(login(client, "expert-2")["token"]))
    assert res.status_code == 200, res.get_json()
    return json.dumps(res.get_json(), ensure_ascii=False, default=str), res.get_json()


def api_assignments(client, b: Blind) -> tuple[str, dict | None]:
    text, body = _api(client, "/api/v1/expert/assignments")
    one = next(e for e in body["entries"] if e["id"] == b.entry.id)
    assert one["patent"]["granted"] is True and one["patent"]["announced_on"] == b.entry.patent_announced_on.isoformat()
    return text, one


def api_entry(client, b: Blind) -> tuple[str, dict | None]:
    text, body = _api(client, f"/api/v1/entries/{b.entry.id}")
    assert body["patent"]["granted"] is True and body["patent"]["announced_on"] == b.entry.patent_announced_on.isoformat()
    return text, body


def api_review_entry(client, b: Blind) -> tuple[str, dict | None]:
    text, body = _api(client, f"/api/v1/review/entries/{b.entry.id}")
    assert body["entry"]["patent"]["announced_on"] == b.entry.patent_announced_on.isoformat()
    assert any(h["action"] == "entry_unit_confirmed" for h in body["history"])      # the path stays
    return text, body["entry"]


def console_list(client, b: Blind) -> tuple[str, dict | None]:
    desk_login(client, "expert-2")
    page = client.get("/console/scoring")
    assert page.status_code == 200 and f"/console/scoring/{b.entry.id}" in page.text
    return page.text, None


def console_entry(client, b: Blind) -> tuple[str, dict | None]:
    desk_login(client, "expert-2")
    page = client.get(f"/console/scoring/{b.entry.id}")
    assert page.status_code == 200
    assert "已获专利" in page.text and b.entry.patent_announced_on.isoformat() in page.text
    return page.text, None


def downloads(client, b: Blind) -> tuple[str, dict | None]:
    """The file's name as the console and the API give it; the photo not at all."""
    desk_login(client, "expert-2")
    names = []
    for path in (f"/console/scoring/{b.entry.id}/files/{b.attachment.id}", f"/console/attachments/{b.attachment.id}"):
        got = client.get(path)
        assert got.status_code == 200, path
        names.append(unquote(got.headers["Content-Disposition"]))
    got = client.get(f"/api/v1/attachments/{b.attachment.id}", headers=auth_header(login(client, "expert-2")["token"]))
    assert got.status_code == 200
    names.append(unquote(got.headers["Content-Disposition"]))
    photo = client.get(f"/api/v1/attachments/{b.photo.id}", headers=auth_header(login(client, "expert-2")["token"]))
    names.append(unquote(photo.headers.get("Content-Disposition", "")) if photo.status_code == 200 else "")
    return "\n".join(names), None


def dialogue(client, b: Blind) -> tuple[str, dict | None]:
    """Score the first open entry on the phone, keeping every reply and option shown."""
    chat = Chat(client, "expert-2")
    shown = [json.dumps(chat.say("评分"), ensure_ascii=False)]
    rubric, sheet = rubric_for(None), sheet_for(85)
    for criterion in ("innovation", "technology", "benefit", "effect"):
        codes = [band.code for band in rubric.bands_for(criterion, "economic")]
        shown.append(json.dumps(chat.say(str(codes.index(sheet[criterion]["band"]) + 1)), ensure_ascii=False))
        shown.append(json.dumps(chat.say(str(sheet[criterion]["points"])), ensure_ascii=False))
    shown.append(json.dumps(chat.say("思路新颖，数据翔实。"), ensure_ascii=False))
    text = "\n".join(shown)
    assert "合计 85 分" in text                # the sheet was saved: the whole flow was walked
    return text, None


SURFACES = [api_assignments, api_entry, api_review_entry, console_list, console_entry, downloads, dialogue]
# Fields a surface's structured body must show empty under blind review (where it has one).
EMPTY = {api_assignments: ("leader_photo",), api_entry: ("agent_id", "responsible_person", "filled_by", "applicant")}


@pytest.mark.parametrize("surface", SURFACES, ids=lambda s: s.__name__)
def test_blind_review_hides_every_identifying_field_on_every_surface(client, ctx, surface):
    b = world(blind=True)
    text, body = surface(client, b)
    shown = {field: value for field, value in b.secrets.items() if value and value in text}
    assert shown == {}, f"{surface.__name__} shows {sorted(shown)}"
    for key in EMPTY.get(surface, ()):
        assert body[key] is None, key
    if body is not None and "leader" in body and isinstance(body["leader"], dict):
        assert body["leader"]["photo"] is None and body["patent"]["number"] is None


@pytest.mark.parametrize("surface", [api_assignments, api_entry, api_review_entry, console_entry],
                         ids=lambda s: s.__name__)
def test_without_blind_review_the_expert_sees_the_patent_number_and_the_names(client, ctx, surface):
    b = world(blind=False)
    text, _ = surface(client, b)
    assert PATENT in text and b.secrets["leader.name"] in text and b.secrets["unit"] in text
    assert b.secrets["leader.phone"] not in text                      # personal data never
