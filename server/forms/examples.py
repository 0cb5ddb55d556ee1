"""The figures that a step's texts (prompt, help, example) take from the season, so that an
example never contradicts the rule beside it: the achievement window, and example dates inside
it and not after today (the demo season's window is the last 24 months; the 2021 season's is
2019-10 .. 2021-09)."""
from __future__ import annotations

from datetime import date


def _index(month: str) -> int:
    year, mon = month[:7].split("-")
    return int(year) * 12 + int(mon) - 1


def _month(index: int) -> tuple[int, int]:
    return index // 12, index % 12 + 1


def season_params(season, today: date) -> dict:
    """{achievement_from, achievement_to, example_start, example_end, example_day}; {} without a
    season. The example months lie a third and two thirds into the part of the window that is
    not in the future (so an example start is before an example end); the example day is in the
    example end's month and not after today."""
    if season is None:
        return {}
    low = _index(season.achievement_from)
    high = max(low, min(_index(season.achievement_to), today.year * 12 + today.month - 1))
    start, end = _month(low + (high - low) // 3), _month(low + 2 * (high - low) // 3)
    day = 15 if (end[0], end[1]) != (today.year, today.month) else min(15, today.day)
    return {
        "achievement_from": season.achievement_from,
        "achievement_to": season.achievement_to,
        "example_start": f"{start[0]}年{start[1]}月",
        "example_end": f"{end[0]}年{end[1]}月",
        "example_day": f"{end[0]}年{end[1]}月{day}日",
    }
