"""The step count (第 current/total 步, `state.progress` in the API), as a pure function of where
the conversation stands. Steps filled for the person without being asked (a unit prefilled from
their role, a profile from "我本人", a flow's `prefill`) are not steps: they neither count nor make
the count jump. Each answer moves `current` on by one; the confirm step is the last
(current == total); an answer that opens conditional steps (a patent, an economic benefit) adds
to `total`. Going back (返回, 修改) shows where the re-asked step stands."""
from __future__ import annotations


def step_count(positions: list[str], *, done: set[str], prefilled: set[str], here: str | None,
               at_confirm: bool) -> dict:
    """positions: the applicable steps in order; done: those answered or skipped; here: the
    position being asked."""
    counted = [p for p in positions if p not in prefilled]
    total = len(counted) + 1
    if at_confirm:
        return {"current": total, "total": total}
    finished = [p for p in counted if p in done]
    current = counted.index(here) + 1 if here in finished else len(finished) + 1
    return {"current": min(current, total), "total": total}
