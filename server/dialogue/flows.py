"""The flow registry: every guided flow is data (message_templates/zh_CN/flows.yaml), run by the
one engine. A flow names its start words, its target (what the answers are stored on), its
steps (from the field catalogue, or included from another flow), whether it loops over the
target's items, and its completion action. Adding a flow needs no engine change; tests may
register flows of their own with `register`."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from ..forms.catalogue import Step, step_from_data
from ..texts import lookup

REGISTRY_KEY = "flows"


@dataclass(frozen=True)
class Flow:
    key: str
    title: str
    target: str
    steps: tuple[Step, ...]
    start: tuple[str, ...] = ()
    requires: str | None = None
    loop: bool = False
    complete: str = "submit"
    options: dict = field(default_factory=dict, compare=False, hash=False)   # read by the target
    texts: dict = field(default_factory=dict, compare=False, hash=False)     # started, not_allowed, ...
    prefill: dict = field(default_factory=dict, compare=False, hash=False)   # field → value set at start

    def text(self, key: str, **params) -> str:
        """One of the flow's own texts (written beside it in the registry), formatted."""
        return self.texts[key].format(**params)

    def step(self, field: str | None) -> Step | None:
        return next((s for s in self.steps if s.field == field), None)


_EXTRA: dict[str, dict] = {}
_STRUCTURE = {"title", "target", "steps", "start", "requires", "loop", "complete", "options", "prefill"}


def _steps(items, seen: tuple[str, ...]) -> tuple[Step, ...]:
    out: list[Step] = []
    for item in items:
        if isinstance(item, str):                      # a field list of the catalogue
            out.extend(step_from_data(s) for s in lookup(item))
        elif "flow" in item:                           # another flow's steps, in order
            if item["flow"] in seen:
                raise ValueError(f"flow {item['flow']} includes itself")
            out.extend(_build(item["flow"], seen).steps)
        else:                                          # a step written inline
            out.append(step_from_data(item))
    return tuple(out)


def _data(key: str) -> dict:
    return _EXTRA[key] if key in _EXTRA else lookup(f"{REGISTRY_KEY}.{key}")


def _build(key: str, seen: tuple[str, ...] = ()) -> Flow:
    data = _data(key)
    return Flow(key=key, title=data["title"], target=data["target"],
                steps=_steps(data["steps"], (*seen, key)), start=tuple(data.get("start", ())),
                requires=data.get("requires"), loop=bool(data.get("loop", False)),
                complete=data.get("complete", "submit"), options=dict(data.get("options", {})),
                prefill=dict(data.get("prefill", {})),
                texts={k: v for k, v in data.items() if k not in _STRUCTURE and isinstance(v, str)})


@lru_cache(maxsize=None)
def get(key: str) -> Flow:
    """The flow named `key`; KeyError when there is none (a flow removed while conversations
    were open: the caller treats the conversation as idle)."""
    return _build(key)


def keys() -> list[str]:
    return [*lookup(REGISTRY_KEY), *_EXTRA]


def by_start_word(word: str) -> Flow | None:
    for key in keys():
        flow = get(key)
        if word in flow.start:
            return flow
    return None


def register(key: str, data: dict) -> Flow:
    """Add a flow declared as data at run time (tests; later, flows a season configures)."""
    _EXTRA[key] = data
    get.cache_clear()
    return get(key)
