"""The competition's rules on single answers (RULES.md), checked where the answer is given and
all again at submit. Each rule raises AnswerError with a message that says why and what to do."""
from __future__ import annotations

import logging
from datetime import date

from .answers import Context
from .parsers import AnswerError, has_figures

log = logging.getLogger(__name__)


def _month(value) -> str:
    return value.isoformat()[:7] if isinstance(value, date) else str(value)[:7]


def in_achievement_window(value, ctx: Context):
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


def not_funded(value, ctx: Context):
    if value is True:
        raise AnswerError("funded_ineligible")


def has_figures_rule(value, ctx: Context):
    if not has_figures(value):
        raise AnswerError("summary_needs_figures")


def plausible_birth(value, ctx: Context):
    year = int(str(value)[:4])
    age = ctx.today.year - year
    if not 16 <= age <= 90:
        raise AnswerError("birth_implausible", age=age)


def content_safe(value, ctx: Context):
    """WeChat's content check (msg_sec_check v2) on text that others will read. When WeChat
    cannot be asked, the answer is accepted and logged: a worker must not be kept from
    filing because the check is down (reviewers still read every entry)."""
    from ..wechat import gateway
    from ..wechat.client import WeChatError
    try:
        verdict = gateway().msg_sec_check(ctx.user.openid, str(value)[:2500])
    except WeChatError as exc:
        log.warning("content check unavailable (%s); accepted unchecked", exc)
        return
    if verdict.get("result", {}).get("suggest") == "risky":
        raise AnswerError("content_risky")


def consent_given(value, ctx: Context):
    if value is not True:
        raise AnswerError("consent_needed")


RULES = {
    "in_achievement_window": in_achievement_window,
    "not_future": not_future,
    "not_before_start": not_before_start,
    "not_funded": not_funded,
    "has_figures": has_figures_rule,
    "plausible_birth": plausible_birth,
    "consent_given": consent_given,
    "content_safe": content_safe,
}
# Asked once, when the answer is given; not again for every field at submit.
ANSWER_ONLY = {"content_safe"}


def check(rule_names, value, ctx: Context) -> None:
    for name in rule_names:
        RULES[name](value, ctx)
