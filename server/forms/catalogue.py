"""The field catalogue: every field of an entry (and of the farmer registration) with its answer
type, rules, condition, help and example, read from the flow data in message_templates/. One
label map (`label`) and one alias map serve 修改, 查看, error messages, the API and exports."""
from __future__ import annotations

from dataclasses import dataclass, field as dc_field
from functools import lru_cache

from ..texts import catalogue, lookup

ENTRY_FIELDS_KEY = "flow_entry"


@dataclass(frozen=True)
class Step:
    """One field as a flow asks it. `when` is (field, expected, op) on an earlier answer: op
    "equals" (the answer is `expected`), "in" (one of `expected`) or "not_in" (none of them, so
    an unanswered field leaves the step applying)."""
    field: str
    type: str
    prompt: str
    help: str
    example: str
    optional: bool = False
    when: tuple | None = None
    rules: tuple[str, ...] = ()
    options: str | None = None
    min: int = 1
    max: int = 2000
    extra: dict = dc_field(default_factory=dict, compare=False, hash=False)


def step_from_data(raw: dict) -> Step:
    when = raw.get("when")
    known = {"field", "type", "prompt", "help", "example", "optional", "when", "rules", "options", "min", "max"}
    return Step(field=raw["field"], type=raw["type"], prompt=raw["prompt"], help=raw.get("help", ""),
                example=str(raw.get("example", "")), optional=bool(raw.get("optional", False)),
                when=_condition(when) if when else None,
                rules=tuple(raw.get("rules", ())), options=raw.get("options"),
                min=int(raw.get("min", 1)), max=int(raw.get("max", 2000)),
                extra={k: v for k, v in raw.items() if k not in known})


def _condition(when: dict) -> tuple:
    for op in ("equals", "in", "not_in"):
        if op in when:
            expected = when[op]
            return when["field"], tuple(expected) if op != "equals" else expected, op
    raise ValueError(f"a `when` needs equals, in or not_in: {when}")


@lru_cache(maxsize=None)
def entry_steps() -> tuple[Step, ...]:
    """The entry's fields in the order the forms (附件2–4) ask them."""
    return tuple(step_from_data(s) for s in lookup(f"{ENTRY_FIELDS_KEY}.steps"))


@lru_cache(maxsize=None)
def farmer_steps() -> tuple[Step, ...]:
    """The farmer an e-station agent registers before filing for them (为农户申报)."""
    return tuple(step_from_data(s) for s in lookup(f"{ENTRY_FIELDS_KEY}.farmer_steps"))


@lru_cache(maxsize=None)
def entry_fields() -> dict[str, Step]:
    return {s.field: s for s in entry_steps()}


def label(field: str) -> str:
    """What people call a field (项目名称 for `title`); the canonical name when it has none.
    An entry's fields are labelled in flow_entry.yaml; another form's (a unit's report) in its
    own flow_*.yaml `labels:`."""
    return _labels().get(field, field)


@lru_cache(maxsize=None)
def _labels() -> dict[str, str]:
    merged: dict[str, str] = {}
    for name, data in catalogue().items():
        if name.startswith("flow_") and name != ENTRY_FIELDS_KEY and isinstance(data, dict):
            merged.update(data.get("labels") or {})
    merged.update(lookup(f"{ENTRY_FIELDS_KEY}.labels"))
    return merged


def aliases() -> dict[str, tuple[str, ...]]:
    """Other words people use for a field after 修改 (成果名称 → title)."""
    return {f: tuple(words) for f, words in lookup(f"{ENTRY_FIELDS_KEY}.aliases").items()}


def vocabulary(name: str) -> list[dict]:
    return lookup(f"{ENTRY_FIELDS_KEY}.vocabularies.{name}")
