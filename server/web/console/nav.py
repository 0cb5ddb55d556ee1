"""The console's pages as a registry: each entry names its view, its menu text and the policy
action a person must hold somewhere to see it (policy.holds). Navigation shows only what the
person may open; a page's view still judges each object with policy.require (403 otherwise).

A capability adds its page with one line in its view module:
    nav.page("review", "console.review_queue", "console.nav.review", "entry.recommend_unit", order=40)
"""
from __future__ import annotations

from dataclasses import dataclass

from ...services import policy


@dataclass(frozen=True)
class Page:
    key: str
    endpoint: str
    label_key: str      # message template key of the menu text
    action: str         # the policy action that shows it
    order: int = 50


PAGES: dict[str, Page] = {}


def page(key: str, endpoint: str, label_key: str, action: str, order: int = 50) -> Page:
    entry = PAGES[key] = Page(key, endpoint, label_key, action, order)
    return entry


def visible(user) -> list[Page]:
    return sorted((p for p in PAGES.values() if policy.holds(user, p.action)), key=lambda p: (p.order, p.key))
