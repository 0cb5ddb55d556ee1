"""Whether a field applies to an entry, from its `when` condition on earlier answers (the patent
number only when a patent was granted; the amount only for an economic benefit)."""
from __future__ import annotations

from collections.abc import Callable, Iterable

from .catalogue import Step


def applies(step: Step, value_of: Callable[[str], object]) -> bool:
    if step.when is None:
        return True
    field, expected, op = step.when
    value = value_of(field)
    if op == "in":
        return value in expected
    if op == "not_in":
        return value not in expected
    return value == expected


def applicable(steps: Iterable[Step], value_of: Callable[[str], object]) -> list[Step]:
    return [s for s in steps if applies(s, value_of)]


def dependants(field: str, steps: Iterable[Step]) -> list[Step]:
    """The fields whose condition reads `field` (cleared when it changes so they no longer apply)."""
    return [s for s in steps if s.when is not None and s.when[0] == field]
