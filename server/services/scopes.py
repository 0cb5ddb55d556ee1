"""The scopes of the permission table (policy.py): does a row cover this object?

Each scope is `check(user, held, obj) -> bool`, where `held` is the organisation the role is
held on (None for the pseudo-role ANYONE) and `obj` an Entry, an Organisation, a Certificate or None.
Organisations have a materialised path ("/1/4/17/"), so "inside a subtree" is a prefix test."""
from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import (Certificate, Entry, OrgAwardEvidence, OrgAwardItem, Organisation, PanelSeat, Person, Season,
                      User)


def org_of(obj) -> Organisation | None:
    """The organisation an object belongs to: itself, an entry's 完成单位, a season's organiser."""
    if isinstance(obj, Organisation):
        return obj
    if isinstance(obj, Season):
        return db.session.get(Organisation, obj.org_id) if obj.org_id is not None else None
    if isinstance(obj, Entry) and obj.unit_id is not None:
        return db.session.get(Organisation, obj.unit_id)
    if isinstance(obj, OrgAwardEvidence):          # 优秀组织奖 evidence: the sheet's organisation
        return db.session.get(OrgAwardItem, obj.item_id).sheet.org
    return None


def any_object(user: User, held: Organisation | None, obj) -> bool:
    """No object to judge: holding the role (or being logged in, for ANYONE) is enough."""
    return True


def own(user: User, held: Organisation | None, obj) -> bool:
    """An entry the user created, filed as an agent, or that names them (applicant or leader
    linked to their user: a farmer who bound the phone, a leader filed by a colleague)."""
    if not isinstance(obj, Entry):
        return False
    if user.id in (obj.created_by_id, obj.agent_id):
        return True
    return any(p is not None and p.user_id == user.id for p in (obj.applicant, obj.leader))


def created(user: User, held: Organisation | None, obj) -> bool:
    """An entry the user created (changing it is for its filer, errors.entry_not_yours)."""
    return isinstance(obj, Entry) and obj.created_by_id == user.id


def uploaded(user: User, held: Organisation | None, obj) -> bool:
    """An evidence file the user uploaded, on a sheet inside the held subtree (they may take
    back what they sent, not a colleague's)."""
    return (isinstance(obj, OrgAwardEvidence) and obj.attachment.uploaded_by_id == user.id
            and subtree(user, held, obj))


def own_farmers(user: User, held: Organisation | None, obj) -> bool:
    """An entry the user filed as an e-station agent for a farmer."""
    return isinstance(obj, Entry) and obj.agent_id is not None and obj.agent_id == user.id


def subtree(user: User, held: Organisation | None, obj) -> bool:
    """The object's organisation is the held one or below it (never above, never beside)."""
    org = org_of(obj)
    return held is not None and org is not None and held.contains(org)


def holder(user: User, held: Organisation | None, obj) -> bool:
    """A person's certificate held by the user: the account it was issued to, or the leader's
    account linked after issue."""
    if not isinstance(obj, Certificate) or obj.holder_kind != "person":
        return False
    if obj.holder_user_id == user.id:
        return True
    person = db.session.get(Person, obj.holder_person_id) if obj.holder_person_id else None
    return person is not None and person.user_id == user.id


def holder_org(user: User, held: Organisation | None, obj) -> bool:
    """A unit's certificate (优胜单位, 优秀组织奖) whose holding organisation is the held one
    itself: the unit holds it, so its admins do (whoever was told at issue)."""
    return (isinstance(obj, Certificate) and obj.holder_kind == "org" and held is not None
            and obj.holder_org_id == held.id)


def shared(entry) -> bool:
    """An entry that has been submitted (whatever became of it since). Until then it is a draft:
    its author's (and the e-station agent's, for a farmer), not the offices', phone numbers and
    all; withdrawn before it was ever submitted, it stays private."""
    return isinstance(entry, Entry) and (entry.submitted_at is not None
                                         or entry.status not in ("draft", "withdrawn"))


def subtree_submitted(user: User, held: Organisation | None, obj) -> bool:
    """`subtree`, for entries that were submitted: an office reads what reached it, not drafts."""
    return shared(obj) and subtree(user, held, obj)


def system(user: User, held: Organisation | None, obj) -> bool:
    """The organising system (union, youth_league, womens_federation, science_association):
    a role held on an org of one system (团市委 under 晋城市) covers the units of that system
    under the held org's parent (the area the body works for). Roles hold it as
    `system_submitted` (drafts excluded)."""
    org = org_of(obj)
    if held is None or org is None or not held.system or org.system != held.system:
        return False
    area = held.parent or held
    return area.contains(org)


def system_submitted(user: User, held: Organisation | None, obj) -> bool:
    """`system`, for entries that were submitted: a network body reads what reached it, never
    a draft (issue 13 item 15, as for the offices' `subtree_submitted`)."""
    return shared(obj) and system(user, held, obj)


def assigned(user: User, held: Organisation | None, obj) -> bool:
    """An entry on the panel of the user's expert record, and no conflict of interest with it
    (own unit or county, declared, leader or filer) — judged at every read and write, so a
    conflict found after assignment closes the entry at once."""
    if not isinstance(obj, Entry):
        return False
    from .conflicts import conflict_reason, expert_of
    expert = expert_of(user)
    if expert is None or not expert.active:
        return False
    seat = db.session.scalar(select(PanelSeat.id).where(PanelSeat.entry_id == obj.id,
                                                        PanelSeat.expert_id == expert.id))
    return seat is not None and conflict_reason(expert, obj) is None


def _level(level: str):
    def check(user: User, held: Organisation | None, obj) -> bool:
        from .review.route import at_level
        return held is not None and isinstance(obj, Entry) and at_level(user.id, held, obj, level)
    check.__doc__ = (f"An entry waiting for the {level} level whose handling organisation (review/route.py: "
                     "after the fallbacks for missing admins and skipped levels) is the held one; never "
                     "one the user filed.")
    return check


unit_level, county_level, city_level = _level("unit"), _level("county"), _level("city")


SCOPES = {"any": any_object, "own": own, "created": created, "own_farmers": own_farmers,
          "uploaded": uploaded, "holder": holder, "holder_org": holder_org,
          "subtree": subtree, "subtree_submitted": subtree_submitted, "system": system,
          "system_submitted": system_submitted, "assigned": assigned,
          "unit_level": unit_level, "county_level": county_level, "city_level": city_level}
