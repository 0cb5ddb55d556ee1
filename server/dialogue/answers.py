"""Parse one answer for one step: the step's type chooses the parser; the context supplies
the season's lists and the user's units. Used alike by the chat and by form mode."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ..extensions import db
from ..models import Entry, Organisation, Season, User
from . import parsers
from .flow import Step, vocabulary
from .parsers import AnswerError, Option

SELF_WORDS = {"我", "我本人", "本人", "是我", "我自己", "自己"}


@dataclass
class Context:
    user: User
    entry: Entry
    season: Season
    today: date
    proxy: bool = False


def options_for(step: Step, ctx: Context) -> list[Option]:
    if step.type == "unit":
        return [Option(str(o.id), o.name) for o in unit_choices(ctx)]
    if step.options == "season.categories":
        return [Option(c["code"], c["label"]) for c in ctx.season.categories]
    if step.options == "season.industries":
        return [Option(i, i) for i in ctx.season.industries]
    if step.options:
        return [Option(v["code"], v["label"], tuple(v.get("keywords", ()))) for v in vocabulary(step.options)]
    return []


def unit_choices(ctx: Context) -> list[Organisation]:
    """The units this user files for: those of their roles (the e-station for an agent)."""
    seen, out = set(), []
    for a in ctx.user.roles:
        org = a.org
        if org.kind in ("unit", "team") and org.id not in seen:
            seen.add(org.id)
            out.append(org)
    if ctx.entry.unit_id and ctx.entry.unit_id not in seen:
        unit = db.session.get(Organisation, ctx.entry.unit_id)
        if unit:
            out.insert(0, unit)
    return out


def _parse_unit(raw, ctx: Context) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool):   # form mode sends the unit's id
        org = db.session.get(Organisation, raw)
        if org is None or org.kind not in ("unit", "team"):
            raise AnswerError("unit_unknown")
        return org.id
    choices = unit_choices(ctx)
    answer = parsers.normalise(raw)
    if answer.isdigit():                                       # in chat a number picks from the list
        if 1 <= int(answer) <= len(choices):
            return choices[int(answer) - 1].id
        raise AnswerError("unit_unknown")
    if len(answer) < 2:
        raise AnswerError("unit_unknown")
    found = db.session.scalars(select(Organisation).where(
        Organisation.kind.in_(("unit", "team")), Organisation.name.contains(answer, autoescape=True))
        .order_by(Organisation.name).limit(10)).all()
    if len(found) == 1:
        return found[0].id
    if not found:
        raise AnswerError("unit_unknown")
    raise AnswerError("unit_many", names="、".join(o.name for o in found[:5]))


def parse_answer(step: Step, raw, ctx: Context):
    """Return the canonical value for this step, or raise AnswerError."""
    t = step.type
    if t in ("choice", "unit") and isinstance(raw, str) and not parsers.normalise(raw):
        raise AnswerError("choice_empty")
    if t == "choice":
        return parsers.parse_choice(raw, options_for(step, ctx))
    if t == "unit":
        return _parse_unit(raw, ctx)
    if t == "text":
        if step.field == "filled_by" and parsers.normalise(raw) in SELF_WORDS and ctx.user.name:
            return ctx.user.name
        return parsers.parse_text(raw, min_len=step.min, max_len=step.max)
    if t == "leader_name":
        return parsers.parse_text(raw, min_len=2, max_len=20)
    if t == "month":
        return parsers.parse_month(raw)
    if t == "date":
        return parsers.parse_date(raw)
    if t == "yesno":
        return parsers.parse_yesno(raw)
    if t == "amount":
        return parsers.parse_amount(raw)
    if t == "mobile":
        return parsers.parse_mobile(raw)
    if t == "gender":
        return parsers.parse_gender(raw)
    if t == "patent_number":
        return parsers.parse_patent_number(raw)
    if t in ("photo", "attachments"):
        raise AnswerError("needs_image")
    raise ValueError(f"unknown step type {t}")
