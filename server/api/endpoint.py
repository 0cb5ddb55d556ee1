"""One decorator turns a function into an API endpoint: it parses and validates the JSON body
with a pydantic model (errors in Chinese, in the one envelope), enforces login, and records
the route in the OpenAPI document — so the document is made from the schemas that validate."""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field

from flask import Blueprint, Response, current_app, g, jsonify, request
from pydantic import BaseModel
from pydantic import ValidationError as PydanticError

from ..errors import AppError, ValidationError
from .validation import translate_pydantic_error


@dataclass
class Route:
    path: str
    method: str
    summary: str
    body: type[BaseModel] | None
    response: type[BaseModel] | None
    auth: bool
    tag: str
    errors: tuple[int, ...] = field(default_factory=tuple)
    multipart: dict | None = None     # form fields of a multipart alternative, for the docs
    success: int = 200                # the status of a successful answer (201: created)
    query: type[BaseModel] | None = None   # the query-string parameters, validated and documented


ROUTES: list[Route] = []


MAX_INT = 2 ** 63 - 1       # what a database column (BIGINT) can hold; ids and counts alike


class NumberOutOfRange(ValueError):
    """NaN, Infinity, 1e400 or an integer past 64 bits: JSON numbers nothing here can store."""


def _no_constant(name: str):
    raise NumberOutOfRange(name)


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > 19 or abs(int(text)) > MAX_INT:
        raise NumberOutOfRange(text[:30])
    return int(text)


def _finite_float(text: str) -> float:
    value = float(text)
    if value != value or value in (float("inf"), float("-inf")):
        raise NumberOutOfRange(text[:30])
    return value


def read_json_body(model: type[BaseModel]) -> BaseModel:
    limit = current_app.config["JSON_BODY_LIMIT"]
    if (request.content_length or 0) > limit:
        raise AppError("errors.json_body_too_large", code="body_too_large", status=413,
                       limit_kb=limit // 1024)
    raw = request.get_data(cache=True)
    if len(raw) > limit:
        raise AppError("errors.json_body_too_large", code="body_too_large", status=413,
                       limit_kb=limit // 1024)
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_no_constant, parse_int=_bounded_int,
                          parse_float=_finite_float) if raw.strip() else {}
    except NumberOutOfRange:
        raise ValidationError("errors.json_number_out_of_range", code="invalid_json")
    except (UnicodeDecodeError, ValueError, RecursionError):
        # RecursionError: thousands of nested brackets, refused like any other broken JSON.
        raise ValidationError("errors.invalid_json", code="invalid_json")
    if not isinstance(data, dict):
        raise ValidationError("errors.json_object_expected", code="invalid_json")
    try:
        return model.model_validate(data)
    except PydanticError as exc:
        raise translate_pydantic_error(exc, model)


def read_query(model: type[BaseModel]) -> BaseModel:
    """The query string validated like a JSON body: a refusal names the parameter in Chinese and
    says what to send (errors.yaml). Each parameter is read once (`?a=1&a=2` reads 1)."""
    try:
        return model.model_validate(request.args.to_dict())
    except PydanticError as exc:
        raise translate_pydantic_error(exc, model)


def endpoint(bp: Blueprint, path: str, method: str = "GET", *, summary: str, tag: str,
             body: type[BaseModel] | None = None, response: type[BaseModel] | None = None,
             query: type[BaseModel] | None = None, auth: bool = True, errors: tuple[int, ...] = (),
             multipart: dict | None = None, success: int = 200):
    """query: a model of the query-string parameters; the view gets them validated as `query`,
    and the OpenAPI document lists them (so the API's fuzzing tries them too).
    multipart: when given, a multipart/form-data request skips JSON parsing (payload=None)
    and the view reads request.files; the dict documents its form fields."""
    def decorate(fn):
        @functools.wraps(fn)
        def view(**kwargs):
            if auth:
                from ..services.auth import authenticate
                g.user = authenticate(request.headers.get("Authorization"))
            if multipart is not None and request.mimetype == "multipart/form-data":
                kwargs["payload"] = None
            elif body is not None:
                kwargs["payload"] = read_json_body(body)
            if query is not None:
                kwargs["query"] = read_query(query)
            result = fn(**kwargs)
            if isinstance(result, Response):      # a file (an export): sent as it is
                return result
            if isinstance(result, tuple):
                obj, status = result
            else:
                obj, status = result, 200
            if isinstance(obj, BaseModel):
                obj = obj.model_dump(mode="json")
            return jsonify(obj), status

        bp.add_url_rule(path, endpoint=fn.__name__, view_func=view, methods=[method])
        ROUTES.append(Route(bp.url_prefix + path, method, summary, body, response, auth, tag,
                            errors, multipart, success, query))
        return view

    return decorate
