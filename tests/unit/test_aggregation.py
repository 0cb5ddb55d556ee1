"""Combining the experts' totals, exactly, and rounding half-up before grading (RULES.md)."""
from __future__ import annotations

from fractions import Fraction

import pytest

from server.services.results import combine, round_half_up


@pytest.mark.parametrize("totals,method,expected", [
    ([95, 95, 96], "mean", Fraction(286, 3)),
    ([94, 95], "mean", Fraction(189, 2)),                   # 94.5
    ([80, 92, 97], "median", 92),
    ([80, 90, 92, 97], "median", 91),
    ([80, 90, 93, 97], "median", Fraction(183, 2)),
    ([60, 88, 90, 91, 99], "trimmed_mean", Fraction(269, 3)),   # 60 and 99 dropped
    ([80, 90, 92, 97], "trimmed_mean", 91),                  # 80 and 97 dropped
    ([80, 97], "trimmed_mean", Fraction(177, 2)),            # fewer than three: the mean
    ([], "mean", None),
])
def test_combine(totals, method, expected):
    assert combine(totals, method) == expected


@pytest.mark.parametrize("value,rounded", [
    (Fraction(189, 2), 95), (Fraction(284, 3), 95), (Fraction(283, 3), 94), (Fraction(179, 2), 90),
    (Fraction(169, 2), 85), (Fraction(84), 84), (Fraction(1689, 20), 84)])     # 84.45 → 84
def test_half_up_to_a_whole_number(value, rounded):
    assert round_half_up(value) == rounded
