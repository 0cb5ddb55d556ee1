"""WeChat's content check (msg_sec_check v2) on text that others will read, asked outside the
locked part of a dialogue turn or a form update: the rule in forms/rules.py only reads the
verdict, and raises ContentCheckNeeded when a text has none yet (WECHAT.md: msg_sec_check)."""
from __future__ import annotations

import logging

from ..models import User

log = logging.getLogger(__name__)


def verdict(openid: str, text: str) -> str:
    """"pass", "risky", or "unchecked" when WeChat could not be asked (the answer is then
    accepted and logged: a worker must not be kept from filing because the check is down)."""
    from ..wechat import gateway
    from ..wechat.client import WeChatError
    try:
        result = gateway().msg_sec_check(openid, text[:2500])
    except WeChatError as exc:
        log.warning("content check unavailable (%s); accepted unchecked", exc)
        return "unchecked"
    return "risky" if result.get("result", {}).get("suggest") == "risky" else "pass"


def run_checked(user_id: int, work):
    """Run `work(verdicts)` (which opens and commits its own transaction); each time it stops
    for a text not yet checked, roll back, ask WeChat with nothing locked, and run it again."""
    from ..extensions import db
    from ..forms.rules import ContentCheckNeeded
    verdicts: dict[str, str] = {}
    while True:
        try:
            return work(verdicts)
        except ContentCheckNeeded as needed:
            db.session.rollback()
            if needed.text in verdicts:
                raise AssertionError("content verdict given but not used") from None
            openid = db.session.get(User, user_id).openid
            db.session.rollback()           # no transaction, no lock while WeChat answers
            verdicts[needed.text] = verdict(openid, needed.text)
