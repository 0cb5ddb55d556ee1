"""The answer-type registry: for each step type, how an answer is parsed into its canonical
value, which options are offered as buttons, and how a stored value is shown back. The
dialogue, form mode and the confirm summary all go through `answer_type(step)`; no other
module branches on a type's name. Used alike by the chat and by form mode."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from ..extensions import db
from ..models import Entry, Organisation, Season, User
from ..models.org import FILING_KINDS
from ..texts import lookup
from . import parsers
from .catalogue import Step, vocabulary
from .units import search_units
from .parsers import AnswerError, NeedsConfirmation, Option

SELF_WORDS = {"我", "我本人", "本人", "是我", "我自己", "自己"}


@dataclass
class Context:
    """What a value is judged against: who answers, the entry, its season, today (China time).
    `content_verdicts` holds WeChat's content-check verdicts for texts checked before the
    locked part of a turn (services/content.py), text → "pass" | "risky" | "unchecked"."""
    user: User
    entry: Entry
    season: Season
    today: date
    proxy: bool = False
    content_verdicts: dict = field(default_factory=dict)
    subject: object = None          # the record a flow's answers go to, when not the entry
    # The channel can ask back (the dialogue: 是/否): an uncertain reading raises
    # NeedsConfirmation instead of being stored or refused. `confirmed`: this answer was confirmed.
    confirmable: bool = False
    confirmed: bool = False
    # The organisations a `report_unit` answer may name (the units the user files reports for;
    # the service that builds the context decides which, by the policy table).
    units: list = field(default_factory=list)


@dataclass(frozen=True)
class AnswerType:
    """parse(step, raw, ctx) → canonical value or AnswerError; options(step, ctx) → Options;
    display(step, value, ctx) → the text people read. `needs_upload`: answered with a file."""
    parse: Callable
    options: Callable = lambda step, ctx: []
    display: Callable = lambda step, value, ctx: value.isoformat() if isinstance(value, date) else str(value)
    needs_upload: bool = False
    buttons_key: str | None = None      # fixed buttons (是/否) from dialogue.yaml


TYPES: dict[str, AnswerType] = {}


def register(name: str, answer_type: AnswerType) -> None:
    TYPES[name] = answer_type


def answer_type(step: Step) -> AnswerType:
    try:
        return TYPES[step.type]
    except KeyError:
        raise ValueError(f"unknown step type {step.type!r} for {step.field}") from None


# What a JSON value (form mode) may be besides text, by answer type: a number where the answer
# is a number (an amount, a unit's id, a phone number, an option's number), true/false for a
# yes/no. Lists, objects and other mismatches are refused, never stored as Python's str().
_NUMBER_OK = ("amount", "unit", "mobile", "choice")


def check_json_type(step: Step, raw) -> None:
    """Raise AnswerError (naming what to send) when a form value has the wrong JSON type."""
    kind = step.type
    if isinstance(raw, str):
        return
    if isinstance(raw, bool):
        if kind == "yesno":
            return
    elif isinstance(raw, (int, float)) and kind in _NUMBER_OK:
        return
    expected = "yesno" if kind == "yesno" else "number" if kind in _NUMBER_OK else "text"
    raise AnswerError("wrong_type", expected=lookup(f"answers.json_types.{expected}"))


def parse_answer(step: Step, raw, ctx: Context):
    """Return the canonical value for this step, or raise AnswerError."""
    return answer_type(step).parse(step, raw, ctx)


def options_for(step: Step, ctx: Context) -> list[Option]:
    return answer_type(step).options(step, ctx)


def button_labels(step: Step, ctx: Context) -> list[str]:
    """The options shown as buttons under a question."""
    kind = answer_type(step)
    if kind.buttons_key:
        return list(lookup(kind.buttons_key))
    return [o.label for o in kind.options(step, ctx)]


def display(step: Step, value, ctx: Context) -> str:
    if value is None:
        return ""
    return answer_type(step).display(step, value, ctx)


# -- choices --------------------------------------------------------------------------------
def _choice_options(step: Step, ctx: Context) -> list[Option]:
    if step.options == "season.categories":
        return [Option(c["code"], c["label"]) for c in ctx.season.categories]
    if step.options == "season.industries":
        return [Option(i, i) for i in ctx.season.industries]
    if step.options:
        return [Option(v["code"], v["label"], tuple(v.get("keywords", ()))) for v in vocabulary(step.options)]
    return []


def _parse_choice(step: Step, raw, ctx: Context):
    if isinstance(raw, str) and not parsers.normalise(raw):
        raise AnswerError("choice_empty")
    return parsers.parse_choice(raw, _choice_options(step, ctx))


def _show_choice(step: Step, value, ctx: Context) -> str:
    return {o.code: o.label for o in _choice_options(step, ctx)}.get(value, str(value))


# -- units ----------------------------------------------------------------------------------
def unit_choices(ctx: Context) -> list[Organisation]:
    """The units this user files for: those of their roles (the e-station for an agent)."""
    seen, out = set(), []
    for a in ctx.user.roles:
        org = a.org
        if org.files_entries and org.id not in seen:
            seen.add(org.id)
            out.append(org)
    if ctx.entry.unit_id and ctx.entry.unit_id not in seen:
        unit = db.session.get(Organisation, ctx.entry.unit_id)
        if unit:
            out.insert(0, unit)
    return out


MAX_ORG_ID = 2 ** 31 - 1      # organisations.id is an INTEGER column


def _parse_unit(step: Step, raw, ctx: Context) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool):   # form mode sends the unit's id
        if not 0 < raw <= MAX_ORG_ID:
            raise AnswerError("unit_unknown")
        org = db.session.get(Organisation, raw)
        if org is None or not org.files_entries or org.retired_at is not None:
            raise AnswerError("unit_unknown")
        return org.id
    choices = unit_choices(ctx)
    answer = parsers.normalise(raw)
    if not answer:
        raise AnswerError("choice_empty")
    # Without units of their own nothing was listed: a number or one character is no search.
    unclear = "unit_unknown" if choices else "unit_search_hint"
    if answer.isdigit():                                       # in chat a number picks from the list
        if 1 <= int(answer) <= len(choices):
            return choices[int(answer) - 1].id
        if choices:                                            # say what the list held, not "not found"
            raise AnswerError("unit_number_out_of_range", number=answer, count=len(choices),
                              names="、".join(f"{i}. {o.name}" for i, o in enumerate(choices, 1)))
        raise AnswerError(unclear)
    if len(answer) < 2:
        raise AnswerError(unclear)
    exact = db.session.scalars(select(Organisation).where(
        Organisation.kind.in_(FILING_KINDS), Organisation.name == answer, Organisation.retired_at.is_(None))).all()
    if len(exact) == 1:
        return exact[0].id
    matches = search_units(answer)
    strong = [m for m in matches if m.strong]
    if len(strong) == 1:
        return strong[0].org.id
    if len(matches) == 1 and matches[0].score >= 2:          # the one unit abbreviated so
        return matches[0].org.id
    if not matches:
        raise AnswerError("unit_not_registered", query=answer)
    problem = AnswerError("unit_matches", lines="\n".join(
        f"{i}. {m.org.name}" + (f"（{m.county}）" if m.county else "") for i, m in enumerate(matches, 1)))
    problem.options = [m.org.name for m in matches]      # the next answer may pick one by its number
    raise problem


def _show_unit(step: Step, value, ctx: Context) -> str:
    org = db.session.get(Organisation, value)
    return org.name if org else str(value)


# -- text -----------------------------------------------------------------------------------
def _parse_text(step: Step, raw, ctx: Context) -> str:
    if step.extra.get("self_word") == "user_name" and parsers.normalise(raw) in SELF_WORDS and ctx.user.name:
        return ctx.user.name            # 填报人: "我本人" is the user's own name
    low, high, reason = text_limits(step, ctx)
    text = parsers.clean_prose(raw)
    if reason and len(text) < low:
        raise AnswerError("text_too_short_reason", min=low, length=len(text), more=low - len(text), reason=reason)
    if reason and len(text) > high:
        raise AnswerError("text_too_long_reason", max=high, length=len(text), fewer=len(text) - high, reason=reason)
    return parsers.parse_text(raw, min_len=low, max_len=high)


def text_limits(step: Step, ctx: Context) -> tuple[int, int, str | None]:
    """(min, max, reason) of a text answer. Any text step takes its limits from the season when
    it sets them: Season.settings["text_limits"][field] = {"min", "max", "reason"}. Otherwise the
    step's own bounds apply, with the reason written beside them in the flow data
    (`length_reason`): RULES.md sets no lengths, so every minimum above one character says why it
    is there, and the refusal says it and how much more is needed."""
    limits = {}
    if ctx.season is not None:
        limits = (ctx.season.setting("text_limits", {}) or {}).get(step.field) or {}
    reason = limits.get("reason") or (step.extra.get("length_reason") if "min" not in limits else None)
    return (int(limits.get("min", step.min)), int(limits.get("max", step.max)), reason or None)


def _needs_image(step: Step, raw, ctx: Context):
    raise AnswerError("needs_image")


def _plain(parse):
    return lambda step, raw, ctx: parse(raw)


register("choice", AnswerType(_parse_choice, _choice_options, _show_choice))
register("unit", AnswerType(_parse_unit, lambda step, ctx: [Option(str(o.id), o.name) for o in unit_choices(ctx)],
                            _show_unit))
register("text", AnswerType(_parse_text))
register("leader_name", AnswerType(lambda step, raw, ctx: parsers.parse_text(raw, min_len=2, max_len=20),
                                   buttons_key="dialogue.leader_options"))
register("month", AnswerType(_plain(parsers.parse_month)))
register("date", AnswerType(_plain(parsers.parse_date)))
register("yesno", AnswerType(_plain(parsers.parse_yesno),
                             display=lambda step, value, ctx: lookup("dialogue.yes_no_options")[0 if value else 1],
                             buttons_key="dialogue.yes_no_options"))
def _parse_amount(step: Step, raw, ctx: Context):
    """An amount in 万元/年. In the dialogue an uncertain reading is confirmed back before it is
    stored: an approximate amount (50多万 → "按 50 万元/年 记录，对吗？") and a bare figure whose
    size makes the unit doubtful (三千 → "… 还是 3000 元？").

    Form mode cannot ask back. There the form's field is labelled 万元/年, so a JSON number is
    taken as given, and an approximate text is read as its base figure (the form shows the stored
    value at once); a bare text figure of a doubtful unit is refused, asking for the unit
    (answers.amount_unit_needed) — the form has no 是/否 to settle it, and a guess may be off
    10,000 times."""
    reading = parsers.read_amount(raw)
    if reading.needs_confirmation and ctx.confirmable and not ctx.confirmed:
        key, params = reading.confirmation()
        raise NeedsConfirmation(key, declined="answers.amount_declined" if reading.alternatives else None, **params)
    if reading.alternatives and not ctx.confirmed:
        key, params = reading.confirmation()
        raise AnswerError("amount_unit_needed", **params)
    return reading.amount


register("amount", AnswerType(_parse_amount,
                              display=lambda step, value, ctx: lookup("dialogue.amount_display").format(
                                  amount=f"{Decimal(value).normalize():f}")))
def _parse_count(step: Step, raw, ctx: Context) -> int:
    """A count. In the dialogue an approximate one (120多人, 五十余名, 约30人) is confirmed back
    ("按 120 人记录，对吗？") before it is stored as its base figure; form mode stores the base."""
    number, approximate = parsers.read_count(raw, max_value=step.max)
    if approximate and ctx.confirmable and not ctx.confirmed:
        raise NeedsConfirmation("answers.count_confirm", declined="answers.count_declined", count=number)
    return number


def _report_unit_options(step: Step, ctx: Context) -> list[Option]:
    return [Option(str(o.id), o.name) for o in ctx.units]


def _parse_report_unit(step: Step, raw, ctx: Context) -> int:
    options = _report_unit_options(step, ctx)
    if isinstance(raw, int) and not isinstance(raw, bool):
        if str(raw) in {o.code for o in options}:
            return raw
        raise AnswerError("report_unit_unknown", units="、".join(o.label for o in options))
    try:
        return int(parsers.parse_choice(raw, options))
    except AnswerError as exc:
        if exc.key == "choice_empty":
            raise
        raise AnswerError("report_unit_unknown", units="、".join(o.label for o in options)) from None


def _show_report_unit(step: Step, value, ctx: Context) -> str:
    org = db.session.get(Organisation, value)
    return org.name if org is not None else str(value)


register("count", AnswerType(_parse_count))
register("report_unit", AnswerType(_parse_report_unit, _report_unit_options, _show_report_unit))
register("mobile", AnswerType(_plain(parsers.parse_mobile)))
register("gender", AnswerType(_plain(parsers.parse_gender),
                              lambda step, ctx: [Option(code, label) for code, label in lookup("catalog.genders").items()],
                              lambda step, value, ctx: lookup("catalog.genders").get(value, value)))
register("patent_number", AnswerType(_plain(parsers.parse_patent_number)))
register("photo", AnswerType(_needs_image, display=lambda step, value, ctx: lookup("dialogue.uploaded"),
                             needs_upload=True))
register("attachments", AnswerType(_needs_image, needs_upload=True,
                                   display=lambda step, value, ctx: lookup("dialogue.attachment_count").format(
                                       count=len(value))))
