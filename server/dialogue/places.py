"""Where a conversation stands in its flow. A position is a step's field, prefixed with the
item's index in a loop ("2:points"); `conv.history` (for 返回) and `conv.skipped` hold positions.
Only applicable steps count (forms/applicability.py): an answer that makes a step inapplicable
hides it from the next question, 返回, 修改 and the step count alike."""
from __future__ import annotations

from ..forms.applicability import applicable
from ..forms.catalogue import Step, aliases, label
from ..forms.parsers import normalise
from .progress import step_count

CONFIRM = "confirm"


def position(item: int | None, field_name: str) -> str:
    return field_name if item is None else f"{item}:{field_name}"


def split_position(pos: str) -> tuple[int | None, str]:
    head, sep, rest = pos.partition(":")
    return (int(head), rest) if sep and head.isdigit() else (None, pos)


def resolve_field(name: str, active: list[Step]) -> str | None:
    """The field a person means by `name` (its key, label, an alias, or one label that contains
    it) among the active steps; None when none or several match."""
    name = normalise(name)
    if not name:
        return None
    fields = list(dict.fromkeys(s.field for s in active))
    if name in fields:
        return name
    labels = {label(f): f for f in fields}
    if name in labels:
        return labels[name]
    other_names = {alias: f for f in fields for alias in aliases().get(f, ())}
    if name in other_names:
        return other_names[name]
    hits = [f for text, f in labels.items() if name in text or text in name]
    return hits[0] if len(hits) == 1 else None


class Places:
    """Mixed into Engine; uses self.conv, self.flow, self.target, self.subject, self.recall."""

    def items(self) -> list:
        return self.target.items(self.subject) if self.flow.loop else [None]

    def steps_for(self, index: int | None) -> list[Step]:
        item = None if index is None else self.items()[index]
        return applicable(self.flow.steps, lambda f: self.target.value(self.subject, item, f))

    def positions(self) -> list[tuple[int | None, Step]]:
        if not self.flow.loop:
            return [(None, s) for s in self.steps_for(None)]
        return [(i, s) for i in range(len(self.items())) for s in self.steps_for(i)]

    def filled(self, index: int | None, step: Step) -> bool:
        item = None if index is None else self.items()[index]
        return self.target.value(self.subject, item, step.field) not in (None, "", [])

    def filled_positions(self) -> set[str]:
        return {position(i, s.field) for i, s in self.positions() if self.filled(i, s)}

    def step(self) -> Step | None:
        return self.flow.step(self.conv.step) if self.flow else None

    def current_position(self) -> str | None:
        return None if self.conv.step is None else position(self.conv.item, self.conv.step)

    def current_item(self):
        return None if self.conv.item is None else self.items()[self.conv.item]

    def next_position(self) -> tuple[int | None, str]:
        """The first applicable step not yet answered nor skipped; else the confirm step."""
        for index, s in self.positions():
            if position(index, s.field) not in self.conv.skipped and not self.filled(index, s):
                return index, s.field
        return None, CONFIRM

    def resolve(self, name: str) -> str | None:
        return resolve_field(name, [s for _, s in self.positions()])

    def progress(self) -> dict | None:
        """第 current/total 步 (see progress.py)."""
        if not self.active:
            return None
        places = [(position(i, s.field), i, s) for i, s in self.positions()]
        done = {p for p, i, s in places if p in self.conv.skipped or self.filled(i, s)}
        return step_count([p for p, _, _ in places], done=done, prefilled=set(self.recall("prefilled", [])),
                          here=self.current_position(), at_confirm=self.conv.step == CONFIRM)

    def progress_total(self) -> int:
        keys = [position(i, s.field) for i, s in self.positions()]
        return step_count(keys, done=set(), prefilled=set(self.recall("prefilled", [])), here=None,
                          at_confirm=True)["total"]
