"""The 优秀组织奖 rubric (RULES.md: 10 items, 100 points, each a maximum) and the four items the
data computes, each with the figure it read and the rule that turned it into points.

The notice leaves the detailed scoring to the city office (由市联席会议办公室细化考核评分具体办法),
so the rules are a season setting `org_award` (defaults in RULE_DEFAULTS):
- 5 units' participation rate and 6 employees' participation rate (stats.figures, the 附件6
  definitions): full points at `unit_rate_full_at` / `people_rate_full_at`, proportionally below;
- 7 excellent entries: entries of the subtree the city accepted (accepted, scored, decided),
  `points_per_excellent` each up to the maximum;
- 8 skill-grade promotions: the 附件6 figure (stats.figures) — the units' confirmed per-person
  records in the season's months, and for units without any the sum of their filed monthly
  reports' promotions — `points_per_promotion` each up to the maximum.
Points are rounded half-up to one decimal.

    ITEMS                              the rubric: Item(no, key, max, source)
    computed(org, season) -> {no: {"score", "figure", "rule", "value"}}
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ...models import Organisation, Season
from ...texts import t
from .. import stats


@dataclass(frozen=True)
class Item:
    no: int
    key: str
    max: int
    source: str        # "computed" | "evidence"

    @property
    def label(self) -> str:
        return t(f"awards.items.{self.key}")


ITEMS: tuple[Item, ...] = (
    Item(1, "four_party", 5, "evidence"),
    Item(2, "work_plan", 10, "evidence"),
    Item(3, "service", 10, "evidence"),
    Item(4, "platform", 10, "evidence"),
    Item(5, "unit_rate", 15, "computed"),
    Item(6, "people_rate", 15, "computed"),
    Item(7, "excellent", 15, "computed"),
    Item(8, "promotions", 10, "computed"),
    Item(9, "experience", 5, "evidence"),
    Item(10, "showing", 5, "evidence"),
)
BY_NO = {i.no: i for i in ITEMS}
EVIDENCE = tuple(i.no for i in ITEMS if i.source == "evidence")
EXCELLENT_STATUSES = ("accepted", "scored", "decided")
RULE_DEFAULTS = {"unit_rate_full_at": 0.9, "people_rate_full_at": 0.9, "points_per_excellent": 3,
                 "points_per_promotion": 1}


def rules(season: Season) -> dict:
    return RULE_DEFAULTS | ((season.settings or {}).get("org_award") or {})


def points(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _pct(rate: float) -> str:
    return f"{rate * 100:.1f}%"


def _by_rate(item: Item, part: int, whole: int, full_at: float, figure_key: str, **figure) -> dict:
    if not whole:
        return {"score": Decimal(0), "value": None, "figure": t(f"awards.basis.{figure_key}", rate="—", **figure),
                "rule": t("awards.basis.no_base")}
    rate = part / whole
    score = min(Decimal(item.max), points(item.max * rate / full_at))
    return {"score": score, "value": round(rate, 4), "figure": t(f"awards.basis.{figure_key}", rate=_pct(rate), **figure),
            "rule": t("awards.basis.rate_rule", full=_pct(full_at), max=item.max, rate=_pct(rate), points=score)}


def _by_count(item: Item, count: int, per: float, unit: str, figure: str) -> dict:
    score = min(Decimal(item.max), points(count * per))
    return {"score": score, "value": count, "figure": figure,
            "rule": t("awards.basis.count_rule", unit=t(f"awards.basis.{unit}"), per=per, max=item.max,
                      count=count, points=score)}


def computed(org: Organisation, season: Season) -> dict[int, dict]:
    """Items 5–8 for the organisation's subtree, read live from the statistics."""
    cfg = rules(season)
    units = list(stats.figures(org, season).values())
    taking = [f for f in units if f.takes_part]
    employees = sum(f.org.employee_count or 0 for f in units)
    people = sum(f.people for f in taking)
    excellent = sum(n for f in units for status, n in f.statuses.items() if status in EXCELLENT_STATUSES)
    promoted = stats.promotion_figures(units)
    first, last = stats.season_months(season)
    return {
        5: _by_rate(BY_NO[5], len(taking), len(units), float(cfg["unit_rate_full_at"]), "unit_rate",
                    taking=len(taking), units=len(units)),
        6: _by_rate(BY_NO[6], people, employees, float(cfg["people_rate_full_at"]), "people_rate",
                    people=people, employees=employees),
        7: _by_count(BY_NO[7], excellent, cfg["points_per_excellent"], "entry",
                     t("awards.basis.excellent", count=excellent)),
        8: _by_count(BY_NO[8], promoted["promotions"], cfg["points_per_promotion"], "person",
                     t("awards.basis.promotions", count=promoted["promotions"], first=first, last=last,
                       confirmed=promoted["confirmed"], from_reports=promoted["from_reports"])),
    }
