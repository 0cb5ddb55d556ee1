"""The city office edits how the 优秀组织奖 computed items turn figures into points (issue 18
item 5: RULES.md leaves the detailed scoring to 市“五小”竞赛活动联席会议办公室). The season
setting `org_award` (items.RULE_DEFAULTS for what is not set):

    unit_rate_full_at     item 5: the units' participation rate that earns the full 15 points   (10–100 %)
    people_rate_full_at   item 6: the employees' participation rate that earns the full 15      (10–100 %)
    points_per_excellent  item 7: points per entry the city accepted, up to 15                  (0.1–15)
    points_per_promotion  item 8: points per skill-grade promotion, up to 10                    (0.1–10)

The ten items and their maxima are the notice's (以上赋分为各考核项目最高分值) and are not edited.
Once a sheet of the season is decided the rules stay as they were (its computed items were frozen
with them; a change would score the other sheets differently).

    current(season) -> dict            the rules in force (rates as fractions, points as Decimal)
    shown(season) -> dict[str, str]    as a form shows them (rates in %)
    set_rules(user, season_id, values) -> dict   (orgaward.rules; FieldErrors naming each field,
                                                  Conflict once a sheet is decided; audited)
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select

from ...errors import Conflict, FieldErrors
from ...extensions import db
from ...models import OrgAwardSheet, Season, User
from ...texts import t
from .. import policy
from ..audit import record
from ..seasons import get_season
from .items import BY_NO, rules

# field → (kind, low, high, the item it drives)
FIELDS = {"unit_rate_full_at": ("percent", Decimal(10), Decimal(100), 5),
          "people_rate_full_at": ("percent", Decimal(10), Decimal(100), 6),
          "points_per_excellent": ("points", Decimal("0.1"), Decimal(BY_NO[7].max), 7),
          "points_per_promotion": ("points", Decimal("0.1"), Decimal(BY_NO[8].max), 8)}
DECIDED = ("awarded", "not_awarded")


def current(season: Season) -> dict:
    return rules(season)


def _plain(value: Decimal) -> str:
    """90.0 → "90", 0.50 → "0.5": how a person writes the number."""
    return format(value.normalize(), "f")


def shown(season: Season) -> dict[str, str]:
    cfg = current(season)
    return {field: _plain(Decimal(str(cfg[field])) * (100 if kind == "percent" else 1))
            for field, (kind, *_rest) in FIELDS.items()}


def _read(field: str, raw) -> tuple[Decimal | None, str | None]:
    kind, low, high, no = FIELDS[field]
    label = t(f"awards.rules.fields.{field}")
    text = (raw if isinstance(raw, str) else "" if raw is None else str(raw)).strip().rstrip("%％").strip()
    if not text:
        return None, t("awards.rules.errors.missing", label=label)
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None, t("awards.rules.errors.not_number", label=label, value=text[:20])
    if not value.is_finite():
        return None, t("awards.rules.errors.not_number", label=label, value=text[:20])
    # the range first: quantize raises InvalidOperation on a number too large for the context (1e30)
    if not low <= value <= high:
        return None, t(f"awards.rules.errors.range_{kind}", label=label, low=_plain(low), high=_plain(high), no=no)
    if value != value.quantize(Decimal("0.1")):
        return None, t("awards.rules.errors.not_number", label=label, value=text[:20])
    return value, None


def set_rules(user: User, season_id: int, values: dict) -> dict:
    """Check every field (all wrong ones named at once), refuse once a sheet is decided, then
    store the season setting and audit before/after. Rates are typed in % and stored as fractions."""
    season = get_season(season_id)
    policy.require(user, "orgaward.rules", season)
    errors, clean = {}, {}
    for field, (kind, *_rest) in FIELDS.items():
        value, problem = _read(field, values.get(field))
        if problem:
            errors[field] = problem
        else:
            clean[field] = float(value / 100) if kind == "percent" else float(value)
    if errors:
        raise FieldErrors(errors)
    # The settings are one JSON value shared by several editors (publicity days, reminders…):
    # read-modify-write under the season's row lock so two saves do not lose one another.
    db.session.refresh(season, with_for_update=True)
    decided = db.session.scalar(select(func.count()).select_from(OrgAwardSheet).where(
        OrgAwardSheet.season_id == season.id, OrgAwardSheet.status.in_(DECIDED)))
    before = {k: float(v) for k, v in current(season).items() if k in FIELDS}
    if before == clean:
        return current(season)
    if decided:
        raise Conflict("awards.rules.errors.decided", code="rules_frozen", count=decided)
    season.settings = {**(season.settings or {}), "org_award": clean}
    record(user, "org_award_rules_set", "season", season.id, data={"before": before, "after": clean})
    db.session.commit()
    return current(season)
