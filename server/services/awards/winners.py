"""优胜单位 applications (附件5, issue 18 item 6): a unit files its application (单位名称, 法人代表,
单位性质, 联系电话, 职工总数, 职工参与率, 开展情况简介, 申报单位意见); the county or industry union
(or the network's county body) gives its opinion, then the city office — each recorded with who,
when, the decision and the comment; the city's yes is the winning-unit award (event `award_decided`, honours.py). Statuses move only
through status.move (APPLICATION_TRANSITIONS); every act is audited.

    prefill(user, org_id, season_id) -> dict          (what the registry and statistics already say)
    file(user, season_id, org_id, values) -> WinnerApplication        (winner.file)
    opinion(user, app_id, level, decision, comment) -> WinnerApplication
    get(user, app_id) -> WinnerApplication            (winner.view; 404 otherwise)
    list_for(user, org_id, season_id) -> list[WinnerApplication]
Filing and the two opinions keep to the season's window (windows.py; 409 outside it).
Errors: FieldProblems naming every wrong field (400 with a `problems` list, as monthly reports;
nothing saved), Forbidden, NotFound, Conflict.
"""
from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ...errors import Conflict, NotFound, ValidationError
from ...extensions import db
from ...models import Organisation, User, WinnerApplication
from ...texts import t
from ...timeutil import china_today, utcnow
from .. import policy, stats, status
from ..audit import record
from ..entries import FieldProblems
from ..seasons import get_season
from . import windows

# field → (required, max length); the two counts are whole numbers
TEXTS = {"legal_rep": (True, 50), "nature": (True, 50), "phone": (True, 30), "summary": (True, 2000),
         "applicant_opinion": (True, 500), "filled_by": (False, 50), "responsible": (False, 50)}
COUNTS = {"employees": (1, 1_000_000), "participants": (0, 1_000_000)}
FORM_ORDER = ("legal_rep", "nature", "phone", "employees", "participants", "summary", "applicant_opinion",
              "filled_by", "responsible")          # 附件5's order: problems are listed in it
PHONE = re.compile(r"^[0-9][0-9-]{5,18}[0-9]$")
LEVELS = ("county", "city")
DECISIONS = ("approve", "refuse")
COMMENT_MAX = 500


def _label(field: str) -> str:
    return t(f"awards.fields.{field}")


def _unit(org_id) -> Organisation:
    org = db.session.get(Organisation, org_id) if isinstance(org_id, int) and 0 < org_id < 2 ** 31 else None
    if org is None:
        raise NotFound("awards.errors.org_not_found", code="org_not_found")
    return org


def prefill(user: User, org_id: int, season_id: int) -> dict:
    """单位性质, 职工总数 from the registry and 参与职工 from the season's statistics (the largest
    monthly participant count), for the form to start from."""
    org = _unit(org_id)
    policy.require(user, "winner.file", org)
    season = get_season(season_id)
    people = stats.figures(org, season).get(org.id)
    return {"nature": t(f"catalog.unit_types.{org.unit_type}") if org.unit_type else "",
            "employees": org.employee_count, "participants": people.people if people else 0}


def _text(raw, field: str) -> tuple[str | None, str | None]:
    """(cleaned text or None, Chinese problem or None) for a text field of TEXTS."""
    required, limit = TEXTS[field]
    text = raw.strip() if isinstance(raw, str) else ("" if raw is None else str(raw))
    if required and not text:
        return None, t("awards.errors.required", label=_label(field))
    if len(text) > limit:
        return None, t("awards.errors.too_long", label=_label(field), max=limit, length=len(text))
    if field == "phone" and not PHONE.match(text):
        return None, t("awards.errors.phone", value=text[:30])
    return text or None, None


def _int(raw, field: str) -> tuple[int | None, str | None]:
    """(the whole number or None, Chinese problem or None) for a count of COUNTS."""
    low, high = COUNTS[field]
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, t("awards.errors.required", label=_label(field))
    text = str(raw).strip()
    if isinstance(raw, bool) or not re.fullmatch(r"-?\d{1,9}", text):
        return None, t("awards.errors.not_whole", label=_label(field), example=120, value=text[:20])
    value = int(text)
    if not low <= value <= high:
        return None, t("awards.errors.out_of_range", label=_label(field), min=low, max=high, value=text[:20])
    return value, None


def check(values: dict) -> dict:
    """The application's fields, cleaned. Every field is judged; FieldProblems names each wrong
    one in the form's order (as monthly reports do), and the caller stores nothing."""
    clean: dict = {}
    problems: list[dict] = []
    for field in FORM_ORDER:
        judge = _int if field in COUNTS else _text
        clean[field], problem = judge(values.get(field), field)
        if problem:
            problems.append({"field": field, "message": problem})
    employees, participants = clean["employees"], clean["participants"]
    if employees is not None and participants is not None and participants > employees:
        problems.append({"field": "participants", "message": t(
            "awards.errors.more_than_employees", participants=participants, employees=employees)})
    if problems:
        raise FieldProblems(sorted(problems, key=lambda p: FORM_ORDER.index(p["field"])),
                            "errors.invalid_fields_none_saved")
    return clean


def _existing(season_id: int, org_id: int) -> WinnerApplication | None:
    return db.session.scalar(select(WinnerApplication).where(WinnerApplication.season_id == season_id,
                                                             WinnerApplication.org_id == org_id))


def _duplicate(org: Organisation, app: WinnerApplication | None) -> Conflict:
    label = t(f"awards.statuses.{app.status}") if app else t("awards.statuses.filed")
    return Conflict("awards.errors.duplicate", code="duplicate", field="org_id", unit=org.name, state=label)


def file(user: User, season_id: int, org_id: int, values: dict) -> WinnerApplication:
    """A unit admin files the unit's application; one per unit and season (409 for a second,
    also when two arrive at once)."""
    org = _unit(org_id)
    policy.require(user, "winner.file", org)
    if org.kind != "unit":
        raise ValidationError("awards.errors.not_a_unit", code="not_a_unit", field="org_id", name=org.name)
    season = get_season(season_id)
    problem = windows.filing_problem(season, china_today())
    if problem:
        raise problem
    clean = check(values)
    if _existing(season.id, org.id) is not None:
        raise _duplicate(org, _existing(season.id, org.id))
    app = WinnerApplication(season_id=season.id, org_id=org.id, org=org, status="filed", filed_by_id=user.id,
                            filed_at=utcnow(), **clean)
    db.session.add(app)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise _duplicate(org, _existing(season.id, org.id))
    record(user, "winner_application_filed", "winner_application", app.id, to_status="filed",
           data={"org_id": org.id, "season_id": season.id})
    db.session.commit()
    return app


def get(user: User, app_id: int) -> WinnerApplication:
    app = db.session.get(WinnerApplication, app_id) if 0 < app_id < 2 ** 31 else None
    if app is None or not policy.can(user, "winner.view", app.org):
        raise NotFound("awards.errors.application_not_found", code="application_not_found")
    return app


def opinion(user: User, app_id: int, level, decision, comment) -> WinnerApplication:
    """The county's (level "county") or the city's (level "city") opinion, in that order, each
    once; refusing needs a reason. The city's approval is the award."""
    app = get(user, app_id)
    if level not in LEVELS:
        raise ValidationError("awards.errors.level", code="bad_level", field="level", value=str(level)[:20])
    if decision not in DECISIONS:
        raise ValidationError("awards.errors.opinion_decision", code="bad_decision", field="decision",
                              value=str(decision)[:20])
    policy.require(user, f"winner.opinion_{level}", app.org)       # the rows' permission: 403 before dates
    problem = windows.opinion_problem(get_season(app.season_id), level, china_today())
    if problem:
        raise problem
    text = comment.strip() if isinstance(comment, str) else ""
    if decision == "refuse" and not text:
        raise ValidationError("awards.errors.refuse_reason", code="reason_missing", field="comment")
    if len(text) > COMMENT_MAX:
        raise ValidationError("awards.errors.too_long", code="too_long", field="comment",
                              label=t("awards.console.decision"), max=COMMENT_MAX, length=len(text))
    status.move("winner_application", app, f"{level}_{decision}", user, app.org, reason=text or None,
                data={"level": level, "decision": decision})
    now = utcnow()
    setattr(app, f"{level}_decision", decision)
    setattr(app, f"{level}_comment", text or None)
    setattr(app, f"{level}_by_id", user.id)
    setattr(app, f"{level}_at", now)
    db.session.commit()
    return app


def list_for(user: User, org_id: int, season_id: int) -> list[WinnerApplication]:
    """The season's applications of the units at or below org_id that the user may view."""
    org = _unit(org_id)
    policy.require(user, "winner.view", org)
    season = get_season(season_id)
    apps = db.session.scalars(select(WinnerApplication).join(Organisation, Organisation.id == WinnerApplication.org_id)
                              .where(WinnerApplication.season_id == season.id,
                                     Organisation.path.startswith(org.path, autoescape=True))
                              .order_by(WinnerApplication.filed_at, WinnerApplication.id))
    return [a for a in apps if policy.can(user, "winner.view", a.org)]


def people_name(user_id: int | None) -> str:
    if user_id is None:
        return ""
    user = db.session.get(User, user_id)
    return (user.name or "") if user else ""


def opinions(app: WinnerApplication) -> list[dict]:
    """The opinions given so far, in turn: level, who, when, decision, comment."""
    out = []
    for level in LEVELS:
        decided = getattr(app, f"{level}_decision")
        if decided:
            out.append({"level": level, "level_label": t(f"awards.levels.{level}"), "decision": decided,
                        "decision_label": t(f"awards.decisions.{decided}"),
                        "by_id": getattr(app, f"{level}_by_id"), "by": people_name(getattr(app, f"{level}_by_id")),
                        "at": getattr(app, f"{level}_at"), "comment": getattr(app, f"{level}_comment")})
    return out


def rate(app: WinnerApplication) -> float:
    return round(app.participants / app.employees, 4) if app.employees else 0.0
