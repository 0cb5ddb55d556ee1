"""All user-facing text lives in message_templates/<locale>/*.yaml; code asks for keys.

A key is "<file>.<path>" (e.g. "errors.invalid_json"). Missing keys fail loudly in tests
(see tests/unit/test_texts.py) rather than showing a user a raw key."""
from __future__ import annotations

import threading
from pathlib import Path

import yaml

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "message_templates"
DEFAULT_LOCALE = "zh_CN"


# libyaml's parser where PyYAML was built with it (the wheels are): the catalogue is read by
# every process, and the pure-Python parser takes about 0.4 s for it.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_SafeLoader):
    """PyYAML keeps the last of two equal keys silently; in a flow that hides a rule."""

    def construct_mapping(self, node, deep=False):
        keys = [self.construct_object(k, deep=deep) for k, _ in node.value]
        duplicates = {k for k in keys if keys.count(k) > 1}
        if duplicates:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate keys {sorted(duplicates)}",
                                                    node.start_mark)
        return super().construct_mapping(node, deep)


_loaded: dict[str, dict] = {}
_loading = threading.Lock()


def _read(locale: str) -> dict:
    data: dict = {}
    for path in sorted((TEMPLATES_DIR / locale).glob("*.yaml")):
        data[path.stem] = yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader) or {}
    return data


def catalogue(locale: str = DEFAULT_LOCALE) -> dict:
    """Every template file of `locale`, {file stem: parsed YAML}, read once per process.

    Read under a lock: a fresh RQ work horse starts its reminder batch with 64 send threads
    that all ask at once, and an unlocked cache let each of them parse the files again (64 ×
    0.4 s of CPU per batch of 1000; bench/fanout.py ran at 40 sends/s). workers/worker.py also
    reads it before the forks, so a horse starts with it."""
    data = _loaded.get(locale)
    if data is None:
        with _loading:
            data = _loaded.get(locale)
            if data is None:
                data = _loaded[locale] = _read(locale)
    return data


catalogue.cache_clear = _loaded.clear  # type: ignore[attr-defined]  # tests swap TEMPLATES_DIR


def lookup(key: str, locale: str = DEFAULT_LOCALE):
    node = catalogue(locale)
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(f"message template {key!r} is missing")
        node = node[part]
    return node


def t(key: str, **params) -> str:
    text = lookup(key)
    if not isinstance(text, str):
        raise KeyError(f"message template {key!r} is not a text")
    # Always format, so a template's literal braces are written {{ }} everywhere alike.
    return text.format(**params)
