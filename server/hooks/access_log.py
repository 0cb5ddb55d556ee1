"""Access logs without secrets. WeChat's push URL carries `signature`, `timestamp`, `nonce` and
`msg_signature` in its query string; in plaintext mode those are all an attacker needs to replay
a push (with another body) while the timestamp is fresh, so a log line must not show them. The
same goes for a bearer token in a logged header.

- gunicorn: `gunicorn.conf.py` (read from the working directory by default) names
  `RedactingGunicornLogger` as its logger class;
- werkzeug's development server: `register(app)` filters its request lines."""
from __future__ import annotations

import logging
import re

SECRET_PARAMS = ("signature", "msg_signature", "timestamp", "nonce", "echostr")
_PARAM = re.compile(r"(?i)(?<![A-Za-z_])(" + "|".join(SECRET_PARAMS) + r")=[^&\s\"']*")
_BEARER = re.compile(r"(?i)(bearer\s+)[^\s\"']+")
REDACTED = "[redacted]"


def redact(text: str) -> str:
    if not text:
        return text
    return _BEARER.sub(r"\1" + REDACTED, _PARAM.sub(r"\1=" + REDACTED, text))


class RedactingFilter(logging.Filter):
    """For loggers whose lines hold request URLs (werkzeug's `"GET /path?… HTTP/1.1" 200`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


def register(app) -> None:
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(RedactingFilter())


def gunicorn_logger_class():
    from gunicorn.glogging import Logger

    class RedactingGunicornLogger(Logger):
        def atoms(self, resp, req, environ, request_time):
            return {key: redact(value) if isinstance(value, str) else value
                    for key, value in super().atoms(resp, req, environ, request_time).items()}

    return RedactingGunicornLogger
