"""Finding a 完成单位 by what people remember of it: words of its name, an abbreviation (the
characters in order: 晋煤机 for 晋城示范煤机制造有限公司), the county it is in (泽州 煤机), or a
bit of each. Used when the person has no unit of their own to pick from (a user with no role)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from ..extensions import db
from ..models import Organisation
from ..models.org import FILING_KINDS

SHOWN = 5                                  # at most this many matches are offered
_COUNTY_SUFFIX = re.compile(r"(?:县|区|市)$")
_NOISE = ("有限责任公司", "股份有限公司", "有限公司", "公司", "集团", "单位", "的")


@dataclass(frozen=True)
class Match:
    org: Organisation
    county: str | None
    score: int                              # 3 words of the name, 2 an abbreviation, 1 some characters

    @property
    def strong(self) -> bool:
        return self.score >= 3


def _subsequence(needle: str, hay: str) -> bool:
    it = iter(hay)
    return all(ch in it for ch in needle)


def _score(query: str, name: str) -> tuple[int, float]:
    if not query:
        return 1, 0.0
    if query in name:
        return 3, len(query) / len(name)
    if len(query) >= 2 and _subsequence(query, name):
        return 2, len(query) / len(name)
    common = len(set(query) & set(name)) / len(set(query))
    return (1, common) if len(query) >= 2 and common >= 0.6 else (0, 0.0)


def search_units(text: str) -> list[Match]:
    """The closest registered units, best first (at most SHOWN). Words separated by spaces must
    each be found; a county's name (with or without 县/区/市) narrows to that county."""
    orgs = db.session.scalars(select(Organisation).where(
        Organisation.kind.in_((*FILING_KINDS, "county")), Organisation.retired_at.is_(None))).all()
    counties = {o.id: o.name for o in orgs if o.kind == "county"}
    # Brackets and commas separate words (the list shows 名称（县）, and people copy it back);
    # letters match in either case (E站 is e站).
    words = [w for w in re.split(r"[\s()（）【】\[\],，、]+", text.strip().lower()) if w]
    county_words: set[str] = set()
    for name in counties.values():
        # the full name first: 泽州县 must not leave a stray 县 behind after 泽州 is taken out
        for form in sorted({name, _COUNTY_SUFFIX.sub("", name)}, key=len, reverse=True):
            if len(form) >= 2:
                for i, w in enumerate(words):
                    if form in w:
                        county_words.add(name)
                        words[i] = w.replace(form, "")
    words = [w for w in words if w]
    for noise in _NOISE:                     # 煤机公司 finds 晋城示范煤机制造有限公司
        words = [w.replace(noise, "") if w != noise else w for w in words]
    found: list[tuple[tuple, Match]] = []
    for org in orgs:
        if org.kind == "county":
            continue
        county = next((counties[i] for i in org.ancestor_ids() if i in counties), None)
        if county_words and county not in county_words:
            continue
        if not words and not county_words:
            continue
        scores = [_score(w, org.name.lower()) for w in words] or [(3, 0.0)]
        if min(s for s, _ in scores) == 0:
            continue
        score = min(s for s, _ in scores)
        found.append(((-score, -sum(c for _, c in scores), len(org.name), org.name),
                      Match(org, county, score)))
    found.sort(key=lambda pair: pair[0])
    return [m for _, m in found[:SHOWN]]
