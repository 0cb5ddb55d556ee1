"""Load a flow from message_templates/ into Steps. The flow is data; this only reads it."""
from __future__ import annotations

from dataclasses import dataclass, field as dc_field
from functools import lru_cache

from ..texts import lookup

FLOW_KEY = "flow_entry"


@dataclass(frozen=True)
class Step:
    field: str
    type: str
    prompt: str
    help: str
    example: str
    optional: bool = False
    when: tuple | None = None          # (field, expected value)
    rules: tuple[str, ...] = ()
    options: str | None = None
    min: int = 1
    max: int = 2000
    extra: dict = dc_field(default_factory=dict, compare=False, hash=False)


def _step(raw: dict) -> Step:
    when = raw.get("when")
    return Step(field=raw["field"], type=raw["type"], prompt=raw["prompt"], help=raw["help"],
                example=str(raw.get("example", "")), optional=bool(raw.get("optional", False)),
                when=(when["field"], when["equals"]) if when else None,
                rules=tuple(raw.get("rules", ())), options=raw.get("options"),
                min=int(raw.get("min", 1)), max=int(raw.get("max", 2000)))


@lru_cache(maxsize=None)
def steps(proxy: bool = False) -> tuple[Step, ...]:
    data = lookup(FLOW_KEY)
    entry_steps = tuple(_step(s) for s in data["steps"])
    if not proxy:
        return entry_steps
    return tuple(_step(s) for s in data["farmer_steps"]) + entry_steps


@lru_cache(maxsize=None)
def by_field() -> dict[str, Step]:
    return {s.field: s for s in steps(proxy=True)}


def vocabulary(name: str) -> list[dict]:
    return lookup(f"{FLOW_KEY}.vocabularies.{name}")


def flow_title() -> str:
    return lookup(f"{FLOW_KEY}.title")
