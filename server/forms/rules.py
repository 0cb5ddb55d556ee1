"""The competition's rules on single answers (RULES.md), checked where the answer is given and
all again at submit. Each rule raises AnswerError with a message that says why and what to do.

Rules are pure: they read the value and the context, never a channel. The content check is the
one rule whose verdict comes from WeChat; it reads that verdict from the context, and when the
text was not checked yet raises ContentCheckNeeded so that the service asks WeChat outside the
locked part of the turn and runs the turn again (services/content.py)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .parsers import AnswerError, has_figures
from .types import Context


class ContentCheckNeeded(Exception):
    """The text must be checked with WeChat (msg_sec_check v2) before this turn can finish."""

    def __init__(self, text: str):
        super().__init__("content check needed")
        self.text = text


def _month(value) -> str:
    return value.isoformat()[:7] if isinstance(value, date) else str(value)[:7]


def in_achievement_window(value, ctx: Context):
    """RULES.md 'What an entry must satisfy': completed inside the season's achievement window."""
    s = ctx.season
    if not s.achievement_from <= _month(value) <= s.achievement_to:
        raise AnswerError("outside_window", start=s.achievement_from, end=s.achievement_to)


def not_future(value, ctx: Context):
    text = value.isoformat() if isinstance(value, date) else str(value)
    if text > ctx.today.isoformat()[:len(text)]:
        raise AnswerError("in_future", today=ctx.today.isoformat())


def not_before_start(value, ctx: Context):
    start = ctx.entry.started_on
    if start and str(value) < start[:len(str(value))]:
        raise AnswerError("end_before_start", start=start)


def applied_not_before_start(value, ctx: Context):
    """项目成果应用时间: a result is used once the project has started (it may be used in trials
    before completion), so the time of use cannot precede the start."""
    start = ctx.entry.started_on
    if start and str(value) < start[:len(str(value))]:
        raise AnswerError("applied_before_start", start=start)


def not_after_completion(value, ctx: Context):
    """A start date edited after the completion date was given is checked against it at once."""
    end = ctx.entry.completed_on
    if end and str(value)[:len(end)] > end[:len(str(value))]:
        raise AnswerError("start_after_end", end=end)


def not_funded(value, ctx: Context):
    """RULES.md: projects funded by the state, province, city or county are excluded."""
    if value is True:
        raise AnswerError("funded_ineligible", kept=True)


def has_figures_rule(value, ctx: Context):
    """RULES.md 附件3: the summary must contain figures (要有数据体现)."""
    if not has_figures(value):
        raise AnswerError("summary_needs_figures")


def not_more_than_employees(value, ctx: Context, key: str = "more_than_employees"):
    """A unit's report: people taking part cannot outnumber the unit's employees (issue 18,
    "more participants than employees" is absurd). A unit with no employee count is not checked."""
    org = getattr(ctx.subject, "org", None)
    employees = getattr(org, "employee_count", None)
    if employees is not None and value > employees:
        raise AnswerError(key, value=value, employees=employees)


def promotions_not_more_than_employees(value, ctx: Context):
    """Nor can more of its people be promoted in a month than it employs."""
    not_more_than_employees(value, ctx, "promotions_more_than_employees")


def plausible_birth(value, ctx: Context):
    year = int(str(value)[:4])
    age = ctx.today.year - year
    if not 16 <= age <= 90:
        raise AnswerError("birth_implausible", age=age)


def content_safe(value, ctx: Context):
    """Text that others will read passes WeChat's content check. When WeChat could not be asked
    ("unchecked") the answer is accepted: a worker must not be kept from filing because the
    check is down (reviewers still read every entry)."""
    verdict = ctx.content_verdicts.get(str(value))
    if verdict is None:
        raise ContentCheckNeeded(str(value))
    if verdict == "risky":
        raise AnswerError("content_risky")


def consent_given(value, ctx: Context):
    if value is not True:
        raise AnswerError("consent_needed")


@dataclass(frozen=True)
class Rule:
    check: object
    # Checked when the answer is given only, not again for every field at submit.
    answer_only: bool = False
    # The answer is stored even though the rule fails (kept=True on its AnswerError): the entry
    # is ineligible, and the answer is kept in case it was a mistake.
    keeps_answer: bool = False


RULES: dict[str, Rule] = {
    "in_achievement_window": Rule(in_achievement_window),
    "not_future": Rule(not_future),
    "not_before_start": Rule(not_before_start),
    "not_after_completion": Rule(not_after_completion),
    "applied_not_before_start": Rule(applied_not_before_start),
    "not_funded": Rule(not_funded, keeps_answer=True),
    "has_figures": Rule(has_figures_rule),
    "plausible_birth": Rule(plausible_birth),
    "not_more_than_employees": Rule(not_more_than_employees),
    "promotions_not_more_than_employees": Rule(promotions_not_more_than_employees),
    "consent_given": Rule(consent_given),
    "content_safe": Rule(content_safe, answer_only=True),
}


def check(rule_names, value, ctx: Context, *, at_submit: bool = False) -> None:
    for name in rule_names:
        rule = RULES[name]
        if not (at_submit and rule.answer_only):
            rule.check(value, ctx)


def split_kept(rule_names) -> tuple[list[str], list[str]]:
    """(rules checked before storing, rules checked after storing the answer)."""
    before = [r for r in rule_names if not RULES[r].keeps_answer]
    after = [r for r in rule_names if RULES[r].keeps_answer]
    return before, after
