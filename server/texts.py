"""All user-facing text lives in message_templates/<locale>/*.yaml; code asks for keys.

A key is "<file>.<path>" (e.g. "errors.invalid_json"). Missing keys fail loudly in tests
(see tests/unit/test_texts.py) rather than showing a user a raw key."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "message_templates"
DEFAULT_LOCALE = "zh_CN"


class _StrictLoader(yaml.SafeLoader):
    """PyYAML keeps the last of two equal keys silently; in a flow that hides a rule."""

    def construct_mapping(self, node, deep=False):
        keys = [self.construct_object(k, deep=deep) for k, _ in node.value]
        duplicates = {k for k in keys if keys.count(k) > 1}
        if duplicates:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate keys {sorted(duplicates)}",
                                                    node.start_mark)
        return super().construct_mapping(node, deep)


@lru_cache(maxsize=None)
def catalogue(locale: str = DEFAULT_LOCALE) -> dict:
    data: dict = {}
    for path in sorted((TEMPLATES_DIR / locale).glob("*.yaml")):
        data[path.stem] = yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader) or {}
    return data


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
