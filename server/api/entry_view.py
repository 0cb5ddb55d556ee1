"""Shaping an Entry into the canonical JSON of DESIGN.md, and flattening PATCH bodies."""
from __future__ import annotations

from ..models import Entry, User
from ..services import entries as entry_service
from ..services.scoring import reader_view
from ..services.shown import shown_label, shown_status
from ..services.orgs import get_org
from ..forms.values import LEADER_ATTRS, leader_photo
from ..texts import t
from .schemas import EntryOut


def flatten(data: dict, prefix: str = "") -> dict:
    """{"patent": {"granted": true}} → {"patent.granted": true}; flat keys pass through."""
    out = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and name in ("patent", "benefit", "leader"):
            out.update(flatten(value, name + "."))
        else:
            out[name] = value
    return out


def entry_out(user: User, e: Entry) -> EntryOut:
    unit = get_org(e.unit_id) if e.unit_id else None
    leader = {a: getattr(e.leader, a) for a in LEADER_ATTRS} if e.leader else {}
    photo = leader_photo(e)
    applicant = e.applicant if e.agent_id is not None else None
    missing = [p.field for p in entry_service.problems_for_submit(user, e)] if e.status in entry_service.EDITABLE else []
    out = EntryOut(
        id=e.id, season_id=e.season_id, status=shown_status(user, e.status), status_label=shown_label(user, e.status),
        category=e.category, industry=e.industry, title=e.title,
        unit={"id": unit.id, "name": unit.name} if unit else None, unit_source=e.unit_source,
        started_on=e.started_on, completed_on=e.completed_on,
        applied_on=e.applied_on, in_production=e.in_production, funded_project=e.funded_project,
        patent={"granted": e.patent_granted, "number": e.patent_number, "announced_on": e.patent_announced_on},
        summary=e.summary,
        benefit={"kind": e.benefit_kind, "amount": float(e.benefit_amount) if e.benefit_amount is not None else None,
                 "description": e.benefit_description},
        leader={**leader, "photo": photo.id if photo else None},
        attachments=[{"id": a.id, "kind": a.kind, "filename": a.filename, "content_type": a.content_type,
                      "size": a.size, "width": a.width, "height": a.height} for a in e.attachments],
        filled_by=e.filled_by, responsible_person=e.responsible_person, award=e.award, agent_id=e.agent_id,
        applicant={"name": applicant.name, "phone": applicant.phone, "village": applicant.village,
                   "consent_at": applicant.consent_at} if applicant else None,
        missing=missing, created_at=e.created_at, submitted_at=e.submitted_at)
    return _for_reader(reader_view(user, e), out)


# What an expert on the panel does not see (issue 16): personal data always; with the season's
# blind review also everything of services/scoring.BLIND_HIDES (names, unit, photo, the agent,
# the patent number, the files' own names).
_PRIVATE = ("phone", "birth_month")


def _for_reader(view: str | None, out: EntryOut) -> EntryOut:
    if view is None:
        return out
    data = out.model_dump()
    data["leader"] = {k: (None if k in _PRIVATE else v) for k, v in data["leader"].items()}
    data.update(applicant=None, filled_by=None, responsible_person=None)
    if view == "blind":
        data["leader"] = {k: None for k in data["leader"]} | {"name": t("scoring.blind.leader")}
        data["unit"] = None
        data["agent_id"] = None
        data["patent"]["number"] = None
        for n, a in enumerate(data["attachments"], 1):
            a["filename"] = f"{t('scoring.blind.attachment')}{n}.{a['filename'].rsplit('.', 1)[-1]}"
    return EntryOut.model_validate(data)
