"""The rubric as data: bands and bounds from RULES.md, the benefit band suggested from the
declared 万元/年 (exactly 50 or 100 takes the higher band), and every kind of bad sheet refused
with the field it concerns."""
from __future__ import annotations

from decimal import Decimal

import pytest

from server.errors import ValidationError
from server.forms.rubric import Rubric, grade_for, grade_thresholds
from server.texts import lookup

RUBRIC = Rubric.from_data(lookup("rubric"))
GOOD = {"innovation": {"band": "original", "points": 18}, "technology": {"band": "advanced", "points": 17},
        "benefit": {"band": "economic_50", "points": 16}, "effect": {"band": "part_problem", "points": 12}}


def test_rules_bands_and_a_hundred_points():
    assert [c.code for c in RUBRIC.criteria] == ["innovation", "technology", "benefit", "effect"]
    assert [c.label for c in RUBRIC.criteria] == ["创新思路", "科技含量", "创造效益", "发挥作用"]
    assert [(b.min, b.max) for b in RUBRIC.criterion("technology").bands] == [(20, 30), (15, 19), (10, 14)]
    assert [(b.min, b.max) for b in RUBRIC.bands_for("benefit", "social")] == [(15, 20), (10, 14), (5, 9)]
    assert RUBRIC.max_total() == 100


@pytest.mark.parametrize("amount,band", [
    (Decimal("150"), "economic_100"), (Decimal("100"), "economic_100"), (Decimal("99.99"), "economic_50"),
    (Decimal("50"), "economic_50"), (Decimal("49.99"), "economic_10"), (Decimal("10"), "economic_10"),
    (Decimal("9.99"), "economic_0"), (Decimal("0"), "economic_0")])
def test_benefit_band_suggested_from_the_amount(amount, band):
    assert RUBRIC.suggest_benefit("economic", amount) == band


def test_no_suggestion_for_social_benefit_or_no_amount():
    assert RUBRIC.suggest_benefit("social", Decimal("80")) is None
    assert RUBRIC.suggest_benefit("economic", None) is None


def test_a_good_sheet_and_its_total():
    clean, total = RUBRIC.check(GOOD, "economic")
    assert total == 63 and clean["benefit"] == {"band": "economic_50", "points": 16}


def _with(criterion, **changes):
    sheet = {k: dict(v) for k, v in GOOD.items()}
    sheet[criterion].update(changes)
    return sheet


@pytest.mark.parametrize("sheet,kind,code,field", [
    (_with("innovation", points=21), "economic", "points_out_of_band", "criteria.innovation.points"),
    (_with("innovation", points=14), "economic", "points_out_of_band", "criteria.innovation.points"),
    (_with("technology", points=15.5), "economic", "points_not_whole", "criteria.technology.points"),
    (_with("technology", points="17"), "economic", "points_not_whole", "criteria.technology.points"),
    (_with("technology", points=True), "economic", "points_not_whole", "criteria.technology.points"),
    (_with("effect", band="original"), "economic", "wrong_band", "criteria.effect.band"),
    (_with("effect", band=None), "economic", "wrong_band", "criteria.effect.band"),
    (_with("benefit", band="social_good", points=12), "economic", "wrong_benefit_kind", "criteria.benefit.band"),
    (_with("benefit", band="economic_50"), "social", "wrong_benefit_kind", "criteria.benefit.band"),
    ({k: v for k, v in GOOD.items() if k != "effect"}, "economic", "criterion_missing", "criteria.effect"),
    ({**GOOD, "beauty": {"band": "x", "points": 1}}, "economic", "unknown_criterion", "criteria.beauty"),
    ([], "economic", "criteria_missing", "criteria"),
])
def test_bad_sheets_are_refused_with_the_field(sheet, kind, code, field):
    with pytest.raises(ValidationError) as refused:
        RUBRIC.check(sheet, kind)
    assert refused.value.code == code and refused.value.field == field
    assert any("\u4e00" <= ch <= "\u9fff" for ch in refused.value.message)


def test_grades_from_thresholds():
    thresholds = grade_thresholds(None)
    assert [grade_for(n, thresholds) for n in (100, 95, 94, 90, 89, 85, 84, 0)] == [
        "first", "first", "second", "second", "third", "third", None, None]
