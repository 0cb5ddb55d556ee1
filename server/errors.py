"""One error path: services raise AppError subclasses, one handler renders the envelope
{"error": {"code", "message", "field"}}. Messages are template keys, rendered in Chinese."""
from __future__ import annotations

import logging

from flask import Flask, jsonify
from sqlalchemy.exc import DataError, OperationalError
from werkzeug.exceptions import HTTPException

from .texts import t

log = logging.getLogger(__name__)


def _end_session() -> None:
    """Roll the request's session back after a database error. When its connection is the one
    that died, the rollback can fail as well: then the session's connections are invalidated
    (the pool opens new ones) — the answer stays the 503/400 being written, never a 500."""
    from .extensions import db
    try:
        db.session.rollback()
    except Exception as exc:  # noqa: BLE001 — whatever the dead connection raises
        log.warning("rollback after a database error failed (%s); dropping the session's connections", exc)
        try:
            db.session.invalidate()
        except Exception:  # noqa: BLE001
            db.session.remove()


class AppError(Exception):
    status = 400
    code = "bad_request"
    headers: dict[str, str] = {}             # sent with the refusal (Retry-After of a 429)

    def __init__(self, message_key: str | None = None, *, field: str | None = None,
                 code: str | None = None, status: int | None = None, **params):
        self.message_key = message_key or f"errors.{self.code}"
        self.field = field
        self.params = params
        if code:
            self.code = code
        if status:
            self.status = status
        super().__init__(self.message_key)

    @property
    def message(self) -> str:
        return t(self.message_key, **self.params)

    def to_dict(self) -> dict:
        body = {"code": self.code, "message": self.message}
        if self.field:
            body["field"] = self.field
        return {"error": body}


class ValidationError(AppError):
    status = 400
    code = "invalid"


class FieldErrors(ValidationError):
    """Several fields wrong at once (a console form): `errors` maps each field to its Chinese
    message; the envelope names the first, the form shows each next to its field."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        first = next(iter(errors))
        super().__init__("errors.field_errors", field=first, code="invalid", first=errors[first],
                         more=len(errors) - 1)

    @property
    def message(self) -> str:
        """The field's own message when it is the only one ("others too" only when true)."""
        return self.errors[self.field] if len(self.errors) == 1 else super().message


class Unauthorized(AppError):
    status = 401
    code = "unauthorized"


class Forbidden(AppError):
    status = 403
    code = "forbidden"


class NotFound(AppError):
    status = 404
    code = "not_found"


class Conflict(AppError):
    status = 409
    code = "conflict"


class TooManyRequests(AppError):
    status = 429
    code = "too_many_requests"

    def __init__(self, message_key: str | None = None, *, retry_after: int = 60, **kwargs):
        """retry_after: seconds until a new request may be answered (the Retry-After header)."""
        super().__init__(message_key, **kwargs)
        self.headers = {"Retry-After": str(max(1, int(retry_after)))}


class ServiceUnavailable(AppError):
    status = 503
    code = "service_unavailable"


class RetryLater(Exception):
    """Raised by a job's service when WeChat is busy or unreachable and nothing was lost: the
    job fails and RQ runs it again with the Retry it was queued with."""


# Werkzeug's HTTP errors that can reach us without a view raising them.
_HTTP_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed",
               413: "body_too_large", 415: "unsupported_media_type"}


def error_response(code: str, message: str, status: int, field: str | None = None):
    body = {"code": code, "message": message}
    if field:
        body["field"] = field
    return jsonify({"error": body}), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(AppError)
    def _app_error(exc: AppError):
        return jsonify(exc.to_dict()), exc.status, exc.headers

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        code = _HTTP_CODES.get(exc.code or 500, "http_error")
        key = f"errors.{code}" if code != "http_error" else "errors.internal"
        return error_response(code, t(key), exc.code or 500)

    @app.errorhandler(OperationalError)
    def _database_unavailable(exc: OperationalError):
        # The database went away (restart, failover, dropped connection): nothing was saved
        # by this request, the pool reconnects, and the client may simply retry.
        log.warning("database unavailable: %s", exc.orig if hasattr(exc, "orig") else exc)
        _end_session()
        return error_response("database_unavailable", t("errors.database_unavailable"), 503)

    @app.errorhandler(DataError)
    def _value_out_of_range(exc: DataError):
        # A value the database cannot hold reached it (an id past an INTEGER column on
        # PostgreSQL, whatever the schema let through): the client's input, not a bug to 500 on.
        log.warning("value refused by the database: %s", exc.orig if hasattr(exc, "orig") else exc)
        _end_session()
        return error_response("value_out_of_range", t("errors.value_out_of_range"), 400)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        # A bug, never a user's fault: log it whole, tell the user plainly, keep the envelope.
        log.exception("unhandled error")
        return error_response("internal", t("errors.internal"), 500)
