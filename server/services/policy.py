"""The permission table (DESIGN convention 11): who may do what, to which object.

One row = (role, action, scope). A user may do an action on an object when a role they hold —
or the pseudo-role ANYONE, which every logged-in user holds, with or without a role
assignment — has a row for that action whose scope covers the object. For a real role the
scope is judged from the organisation the role is held on (RoleAssignment.org).

Views, services and jobs ask `can` / `require`; no role name appears outside this file (and
models/user.py ROLES, demo seed data, message templates, tests). A new capability adds rows
here, not code paths. Sources: RULES.md (the three-level network city → county → unit; rural
e-station staff file for farmers; the city office runs the season) and the behaviour before
this table (an entry is private to whoever filed it; an office sees its own subtree).

Shapes:
    can(user, "entry.view", entry) -> bool
    require(user, "org.view", org)   -> None, or raises Forbidden (403, Chinese message)
    holds(user, "season.manage")    -> bool: a row for the action on some node (console navigation)
    subtree_condition(user, "org.view") -> SQL condition on Organisation
    roles_with(action, scope) -> tuple of role names (for reminders: who waits on what)
    held_org_ids(user, action, scope) -> ids of the orgs the user holds such a role on
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_

from ..errors import Forbidden
from ..models import Certificate, Entry, Organisation, Season, User
from . import scopes

ANYONE = "anyone"    # pseudo-role: every logged-in user


@dataclass(frozen=True)
class Grant:
    role: str
    action: str
    scope: str       # a key of scopes.SCOPES


TABLE: tuple[Grant, ...] = (
    # Anyone who logs in files their own entries (a participant, or someone with no role yet).
    Grant(ANYONE, "entry.create", "any"),
    Grant(ANYONE, "entry.view", "own"),           # also the farmer / leader named on it
    Grant(ANYONE, "entry.edit", "created"),       # named people may read, not change
    Grant(ANYONE, "entry.submit", "created"),
    Grant(ANYONE, "entry.withdraw", "created"),
    Grant(ANYONE, "org.list", "any"),             # the list holds what org.view allows (maybe none)
    # Rural e-station staff file for farmers (RULES: farmers are helped by 乡村e站 staff).
    Grant("estation_agent", "entry.file_for_farmer", "any"),
    Grant("estation_agent", "entry.view", "own_farmers"),
    Grant("estation_agent", "entry.edit", "own_farmers"),
    Grant("estation_agent", "entry.submit", "own_farmers"),
    Grant("estation_agent", "entry.withdraw", "own_farmers"),
    # Offices see the submitted entries and the organisations of their subtree; a draft (with
    # its phone numbers) is its author's, and the agent's for a farmer, until it is submitted.
    Grant("unit_admin", "entry.view", "subtree_submitted"),
    Grant("county_admin", "entry.view", "subtree_submitted"),
    Grant("city_admin", "entry.view", "subtree_submitted"),
    # A network's county body (团县委, 县科协, 县妇联) sees its system's units' submitted entries
    # in its area (drafts stay their author's, as above).
    Grant("county_admin", "entry.view", "system_submitted"),
    Grant("unit_admin", "org.view", "subtree"),
    Grant("county_admin", "org.view", "subtree"),
    Grant("city_admin", "org.view", "subtree"),
    # The review chain (RULES: units, then counties or industry unions, recommend upward; the
    # city accepts). The *_level scopes (review/route.py) pick the one organisation acting at
    # that level on that entry: a unit with no admin is handled by its county (or the city), a
    # county with no admin by the city; a network's county body (团县委…) takes its units.
    Grant("unit_admin", "entry.review_unit", "unit_level"),
    Grant("county_admin", "entry.review_unit", "unit_level"),
    Grant("city_admin", "entry.review_unit", "unit_level"),
    Grant("county_admin", "entry.review_county", "county_level"),
    Grant("city_admin", "entry.review_county", "county_level"),
    Grant("city_admin", "entry.review_city", "city_level"),
    # The 附件2 recommendation sheet of an organisation the office manages.
    Grant("unit_admin", "review.sheet", "subtree"),
    Grant("county_admin", "review.sheet", "subtree"),
    Grant("city_admin", "review.sheet", "subtree"),
    # Experts read the entries assigned to them (scopes.assigned is False until assignments exist).
    Grant("expert", "entry.view", "assigned"),
    # Units report their activity monthly (RULES.md "Forms": 月报); the levels above read them
    # and the statistics of their subtree (附件6).
    Grant("unit_admin", "report.start", "any"),        # begin one (the unit is one's own)
    Grant("unit_admin", "report.file", "subtree"),
    Grant("unit_admin", "report.view", "subtree"),
    Grant("county_admin", "report.view", "subtree"),
    Grant("city_admin", "report.view", "subtree"),
    Grant("unit_admin", "stats.view", "subtree"),
    Grant("county_admin", "stats.view", "subtree"),
    Grant("city_admin", "stats.view", "subtree"),
    # The organisation awards (issue 18 items 5 and 6; RULES.md 优秀组织奖, 优胜单位奖). 优秀组织奖:
    # a county (or industry union, or unit) puts up its evidence, the city office scores and decides.
    # 优胜单位 (附件5): a unit files; the county or industry union — or the network's county body
    # (团县委、县科协、县妇联, RULES: they recommend too) — gives its opinion, then the city office.
    Grant("unit_admin", "orgaward.view", "subtree"),
    Grant("county_admin", "orgaward.view", "subtree"),
    Grant("city_admin", "orgaward.view", "subtree"),
    Grant("unit_admin", "orgaward.evidence", "subtree"),
    Grant("county_admin", "orgaward.evidence", "subtree"),
    # Evidence comes off a sheet before the city scores its item (org_sheet.remove_evidence):
    # the uploader takes back their own file, the county admin any file of their subtree.
    Grant("unit_admin", "orgaward.evidence_remove", "uploaded"),
    Grant("county_admin", "orgaward.evidence_remove", "subtree"),
    Grant("city_admin", "orgaward.score", "subtree"),
    # How the computed items score (awards/rules_admin.py): the city office, per season it runs.
    Grant("city_admin", "orgaward.rules", "subtree"),
    Grant("city_admin", "orgaward.decide", "subtree"),
    Grant("unit_admin", "winner.file", "subtree"),
    Grant("unit_admin", "winner.view", "subtree"),
    Grant("county_admin", "winner.view", "subtree"),
    Grant("county_admin", "winner.view", "system"),
    Grant("city_admin", "winner.view", "subtree"),
    Grant("county_admin", "winner.opinion_county", "subtree"),
    Grant("county_admin", "winner.opinion_county", "system"),
    Grant("city_admin", "winner.opinion_city", "subtree"),
    # Skill-grade promotions through the contest (技能等级晋升): recorded per person by the unit's
    # admin, counted once that admin confirms; the levels above read them. Denominators (附件6
    # where the registry cannot list every unit) are entered by a county or industry union.
    Grant("unit_admin", "promotion.record", "subtree"),
    Grant("unit_admin", "promotion.confirm", "subtree"),
    Grant("unit_admin", "promotion.view", "subtree"),
    Grant("county_admin", "promotion.view", "subtree"),
    Grant("city_admin", "promotion.view", "subtree"),
    Grant("county_admin", "denominator.enter", "subtree"),
    Grant("county_admin", "denominator.view", "subtree"),
    Grant("city_admin", "denominator.view", "subtree"),
    # The city office runs the season.
    Grant("city_admin", "season.manage_reminders", "any"),
    # A certificate's holder lists and downloads it (issue 17 item 7; certificates/holders.py,
    # which answers "不存在" to everyone else): a person's is theirs (the leader's account, or
    # whoever filed for a leader without one); a unit's (优胜单位, 优秀组织奖) is the unit's, so
    # every admin holding a role on that very organisation (not above it, not below).
    Grant(ANYONE, "certificate.download", "holder"),
    Grant("unit_admin", "certificate.download", "holder_org"),
    Grant("county_admin", "certificate.download", "holder_org"),     # a county's 优秀组织奖
    # Certificates are withdrawn by the city office (with a reason, audited).
    Grant("city_admin", "certificate.revoke", "any"),
    # ... and kept by it: the season's list, re-issue (a new drawing, or a replacement with a
    # corrected name), the archive of all files, the announcement's PDF/DOCX (console).
    Grant("city_admin", "certificate.manage", "any"),
    # The office console (issue 14): who may enter, and what each page lets them do. A season is
    # judged by its organising node (a city admin of 晋城市 runs 晋城市's seasons; one held on
    # the province reads and runs every city's).
    Grant("unit_admin", "console.enter", "any"),
    Grant("county_admin", "console.enter", "any"),
    Grant("city_admin", "console.enter", "any"),
    Grant("expert", "console.enter", "any"),
    Grant("estation_agent", "console.enter", "any"),
    Grant("city_admin", "season.manage", "subtree"),
    Grant("county_admin", "org.manage", "subtree"),
    Grant("city_admin", "org.manage", "subtree"),
    Grant("county_admin", "people.view", "subtree"),
    Grant("city_admin", "people.view", "subtree"),
    Grant("city_admin", "people.view_phone", "any"),
    # Which roles an office may give or take, over which nodes (never a role above its own).
    Grant("county_admin", "role.grant.unit_admin", "subtree"),
    Grant("county_admin", "role.grant.estation_agent", "subtree"),
    Grant("city_admin", "role.grant.unit_admin", "subtree"),
    Grant("city_admin", "role.grant.estation_agent", "subtree"),
    Grant("city_admin", "role.grant.county_admin", "subtree"),
    Grant("city_admin", "role.grant.city_admin", "subtree"),
    Grant("city_admin", "role.grant.expert", "subtree"),
    Grant("county_admin", "audit.view", "subtree"),
    Grant("city_admin", "audit.view", "subtree"),
    Grant("city_admin", "system.health", "any"),
    # Expert scoring and results (issue 16). Experts score the entries on their panels (the
    # assigned scope also checks conflicts of interest) and see the others' sheets once their
    # own is in (scoring service); the city office keeps the pool, the panels and the results.
    Grant("expert", "entry.score", "assigned"),
    Grant("expert", "scores.view", "assigned"),
    Grant("expert", "score.start", "any"),              # the phone's scoring flow
    Grant("expert", "expert.declare_conflict", "any"),    # about themself
    Grant("city_admin", "scores.view", "subtree"),
    Grant("city_admin", "expert.manage", "any"),
    Grant("city_admin", "panel.manage", "any"),
    Grant("city_admin", "results.view", "any"),
    Grant("city_admin", "results.decide", "subtree"),
    Grant("city_admin", "results.release", "any"),
    Grant("city_admin", "results.export", "any"),
    # The publicity period (公示, issue 16): anyone logged in may object to an entry on the
    # public list; the city office reads and answers the objections and makes the results final.
    Grant(ANYONE, "objection.file", "any"),
    Grant("city_admin", "objection.view", "any"),
    Grant("city_admin", "objection.answer", "any"),
    Grant("city_admin", "results.finalise", "any"),
)

ACTIONS = frozenset(g.action for g in TABLE)

# What a denial says (message key, machine code); errors.forbidden otherwise.
DENIED = {
    "entry.edit": ("errors.entry_not_yours", "not_yours"),
    "entry.submit": ("errors.entry_not_yours", "not_yours"),
    "entry.withdraw": ("errors.entry_not_yours", "not_yours"),
    "entry.review_unit": ("errors.review_not_allowed", "review_not_allowed"),
    "entry.review_county": ("errors.review_not_allowed", "review_not_allowed"),
    "entry.review_city": ("errors.review_not_allowed", "review_not_allowed"),
    "review.sheet": ("errors.forbidden_scope", "out_of_scope"),
    "org.view": ("errors.forbidden_scope", "out_of_scope"),
    "report.file": ("errors.report_not_allowed", "report_not_allowed"),
    "report.start": ("errors.report_not_allowed", "report_not_allowed"),
    "report.view": ("errors.forbidden_scope", "out_of_scope"),
    "stats.view": ("errors.forbidden_scope", "out_of_scope"),
    "orgaward.view": ("errors.forbidden_scope", "out_of_scope"),
    "orgaward.evidence": ("awards.errors.evidence_not_allowed", "evidence_not_allowed"),
    "orgaward.evidence_remove": ("awards.errors.evidence_remove_not_allowed", "not_your_evidence"),
    "orgaward.score": ("awards.errors.city_office_only", "city_admin_only"),
    "orgaward.rules": ("awards.errors.city_office_only", "city_admin_only"),
    "orgaward.decide": ("awards.errors.city_office_only", "city_admin_only"),
    "winner.file": ("awards.errors.file_not_allowed", "not_your_unit"),
    "winner.view": ("errors.forbidden_scope", "out_of_scope"),
    "winner.opinion_county": ("awards.errors.county_opinion_not_allowed", "opinion_not_allowed"),
    "winner.opinion_city": ("awards.errors.city_office_only", "city_admin_only"),
    "promotion.record": ("tallies.errors.unit_admin_only", "unit_admin_only"),
    "promotion.confirm": ("tallies.errors.unit_admin_only", "unit_admin_only"),
    "promotion.view": ("errors.forbidden_scope", "out_of_scope"),
    "denominator.enter": ("tallies.errors.county_admin_only", "county_admin_only"),
    "denominator.view": ("errors.forbidden_scope", "out_of_scope"),
    "season.manage_reminders": ("errors.city_admin_only", "city_admin_only"),
    "certificate.revoke": ("certificate.errors.city_admin_only", "city_admin_only"),
    "certificate.manage": ("certificate.errors.city_admin_only", "city_admin_only"),
    "season.manage": ("errors.city_admin_only", "city_admin_only"),
    "system.health": ("errors.city_admin_only", "city_admin_only"),
    "org.manage": ("errors.forbidden_scope", "out_of_scope"),
    "people.view": ("errors.forbidden_scope", "out_of_scope"),
    "audit.view": ("errors.forbidden_scope", "out_of_scope"),
    "entry.score": ("scoring.errors.not_assigned", "not_assigned"),
    "scores.view": ("scoring.errors.not_assigned", "not_assigned"),
    "score.start": ("scoring.errors.not_expert", "not_expert"),
    "expert.declare_conflict": ("scoring.errors.not_expert", "not_expert"),
    "expert.manage": ("scoring.errors.city_office_only", "city_admin_only"),
    "panel.manage": ("scoring.errors.city_office_only", "city_admin_only"),
    "results.view": ("scoring.errors.city_office_only", "city_admin_only"),
    "results.decide": ("scoring.errors.city_office_only", "city_admin_only"),
    "results.release": ("scoring.errors.city_office_only", "city_admin_only"),
    "results.export": ("scoring.errors.city_office_only", "city_admin_only"),
    "objection.view": ("publicity.errors.objection_not_city", "city_admin_only"),
    "objection.answer": ("publicity.errors.objection_not_city", "city_admin_only"),
    "results.finalise": ("publicity.errors.objection_not_city", "city_admin_only"),
}


def _grants(action: str) -> list[Grant]:
    if action not in ACTIONS:
        raise ValueError(f"unknown policy action {action!r}")    # a typo, not a denial
    return [g for g in TABLE if g.action == action]


def can(user: User | None, action: str, obj: Entry | Organisation | Season | Certificate | None = None) -> bool:
    """True when some row for `action` held by the user covers `obj` (None: no object)."""
    grants = _grants(action)
    if user is None:
        return False
    for grant in grants:
        check = scopes.SCOPES[grant.scope]
        if grant.role == ANYONE:
            if check(user, None, obj):
                return True
            continue
        for assignment in user.roles:
            if assignment.role == grant.role and check(user, assignment.org, obj):
                return True
    return False


def require(user: User | None, action: str, obj: Entry | Organisation | Season | Certificate | None = None) -> None:
    """Raise Forbidden (403) with the action's Chinese message unless `can`."""
    if not can(user, action, obj):
        key, code = DENIED.get(action, ("errors.forbidden", "forbidden"))
        raise Forbidden(key, code=code)


def holds(user: User | None, action: str) -> bool:
    """True when the user holds a row for `action` on some node (whatever its scope): the
    console shows a page to those who may use it somewhere; each object is then judged by `can`."""
    grants = _grants(action)
    if user is None:
        return False
    held = {a.role for a in user.roles}
    return any(g.role == ANYONE or g.role in held for g in grants)


def grantable_roles(user: User | None) -> tuple[str, ...]:
    """The roles this user may give or take somewhere (rows "role.grant.<role>")."""
    return tuple(a.rpartition(".")[2] for a in sorted(ACTIONS)
                 if a.startswith("role.grant.") and holds(user, a))


def roles_with(action: str, scope: str) -> tuple[str, ...]:
    """The real roles granted `action` with `scope`, in table order."""
    return tuple(dict.fromkeys(g.role for g in _grants(action) if g.scope == scope and g.role != ANYONE))


def held_org_ids(user: User, action: str, scope: str) -> list[int]:
    """The organisations on which the user holds a role granted `action` with `scope` (to narrow
    a list in SQL before `can` judges each object)."""
    roles = roles_with(action, scope)
    return sorted({a.org_id for a in user.roles if a.role in roles})


def subtree_condition(user: User, action: str):
    """A SQL condition on Organisation selecting the orgs the user may `action` (for lists).
    Only "subtree" rows have a SQL form so far; an action with another object scope held by
    the user fails loudly rather than listing too little."""
    paths = []
    for grant in _grants(action):
        held = [a.org for a in user.roles if a.role == grant.role]
        if grant.scope == "subtree":
            paths += [org.path for org in held]
        elif held and grant.scope != "any":
            raise NotImplementedError(f"no SQL form for scope {grant.scope!r} ({action})")
    if not paths:
        return Organisation.id.is_(None)   # matches nothing
    return or_(*[Organisation.path.startswith(p, autoescape=True) for p in paths])
