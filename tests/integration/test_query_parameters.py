"""Query-string parameters are validated, documented and refused like body fields.

They were read inside the views and missing from the OpenAPI document, so the API's fuzzing
never sent them: `GET /api/v1/review/queue?season=<25 digits>` (or `unit=`, `page=`) gave a 500,
and a refusal named the parameter in English ("缺少“from”"). Every query model of every
operation is tried here, field by field, with what a client might wrongly send."""
from __future__ import annotations

import typing

import pytest
from pydantic import BaseModel

from server.api.endpoint import ROUTES
from server.api.validation import field_label

from ..helpers import auth_header, login

QUERY_ROUTES = [r for r in ROUTES if r.query is not None]


def _is_int(annotation) -> bool:
    return annotation is int or int in typing.get_args(annotation)


def _fields(model: type[BaseModel]) -> list[tuple[str, object]]:
    return [(info.alias or name, info) for name, info in model.model_fields.items()]


def _valid(info) -> str:
    """A value the field accepts, so that only the field under test is wrong."""
    if _is_int(info.annotation):
        return "1"
    return "2026-01" if any(getattr(m, "pattern", None) for m in info.metadata) else "x"


def _url(route, params: dict) -> str:
    path = route.path
    while "<" in path:
        start, end = path.index("<"), path.index(">")
        path = path[:start] + "1" + path[end + 1:]
    return path + "?" + "&".join(f"{k}={v}" for k, v in params.items())


def _cases():
    for route in QUERY_ROUTES:
        for name, info in _fields(route.query):
            if _is_int(info.annotation):
                bad = ["9" * 25, "-1", "abc", "1.5", ""]
            elif any(getattr(m, "pattern", None) for m in info.metadata):
                bad = ["2026-13", "abc", ""]
            else:
                continue
            for value in bad:
                yield pytest.param(route, name, value, id=f"{route.method} {route.path} {name}={value!r}")


CASES = list(_cases())


def test_the_table_covers_every_query_route():
    assert len(QUERY_ROUTES) >= 11
    assert {r.path for r, *_ in (c.values for c in CASES)} == {r.path for r in QUERY_ROUTES}


@pytest.mark.parametrize("route, name, value", CASES)
def test_a_wrong_query_parameter_is_refused_by_name(client, seeded, wx, route, name, value):
    headers = auth_header(login(client, "demo-city-admin")["token"])
    params = {n: _valid(info) for n, info in _fields(route.query) if info.is_required()}
    params[name] = value
    res = client.get(_url(route, params), headers=headers)
    error = res.get_json()["error"]
    if res.status_code == 400 and error["code"] == "invalid_field":
        assert error["field"] == name
        assert field_label(name) != name and f"“{field_label(name)}”" in error["message"]
        if value:
            assert f"您填的是“{value}”" in error["message"]
    else:
        # a value the model takes (page=-1) is the service's to refuse, in its own words
        assert res.status_code in (400, 403, 404), (res.status_code, error)
        assert error["message"] and error["message"].isascii() is False


@pytest.mark.parametrize("route", QUERY_ROUTES, ids=[f"{r.method} {r.path}" for r in QUERY_ROUTES])
def test_every_query_parameter_is_in_the_document(client, ctx, route):
    doc = client.get("/api/v1/openapi.json").get_json()
    path = route.path.replace("<int:", "{").replace("<", "{").replace(">", "}")
    documented = {p["name"]: p for p in doc["paths"][path][route.method.lower()]["parameters"]
                  if p["in"] == "query"}
    fields = dict(_fields(route.query))
    assert set(documented) == set(fields)
    for name, info in fields.items():
        assert documented[name]["required"] is info.is_required()
        assert documented[name]["schema"].get("type") in ("integer", "string", "boolean")


def _request_models() -> set[type[BaseModel]]:
    found: set[type[BaseModel]] = set()

    def walk(annotation):
        if isinstance(annotation, type) and issubclass(annotation, BaseModel) and annotation not in found:
            found.add(annotation)
            for info in annotation.model_fields.values():
                walk(info.annotation)
        for arg in typing.get_args(annotation):
            walk(arg)

    for route in ROUTES:
        walk(route.body)
        walk(route.query)
    return found


def test_every_request_field_has_a_chinese_name(ctx):
    models = _request_models()
    assert len(models) > 30
    unnamed = sorted({f"{m.__name__}.{name}" for m in models for name, _ in _fields(m)
                      if field_label(name) == name})
    assert unnamed == []


@pytest.mark.parametrize("url, words", [
    ("/api/v1/reports?org_id=1&to=2026-02", ["缺少“起始月份（from）”"]),
    ("/api/v1/reports?org_id=1&from=2026-13&to=2026-02",
     ["“起始月份（from）”", "您填的是“2026-13”", "YYYY-MM"]),
    ("/api/v1/reports/missing?org_id=1&month=十月", ["“月份（month）”", "您填的是“十月”", "如 2026-10"]),
    ("/api/v1/review/queue?season=" + "9" * 25, ["“赛季编号（season）”不能大于 2147483647"]),
    ("/api/v1/review/queue?colour=red", ["不认识的字段“colour”"]),
])
def test_refusals_say_what_to_send(client, seeded, wx, url, words):
    res = client.get(url, headers=auth_header(login(client, "demo-city-admin")["token"]))
    assert res.status_code == 400
    message = res.get_json()["error"]["message"]
    assert all(w in message for w in words), message
