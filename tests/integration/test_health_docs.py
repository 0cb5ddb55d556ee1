"""/healthz reports database, Redis and queues; the OpenAPI document comes from the schemas."""
from __future__ import annotations

import json
import re

import pytest

from server.api.endpoint import ROUTES


def test_health_reports_each_part(client, ctx):
    res = client.get("/healthz")
    assert res.status_code == 200
    body = res.get_json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] and body["database"]["dialect"] in ("sqlite", "postgresql")
    assert body["redis"]["ok"]
    assert set(body["queue"]["queues"]) == {"high", "default", "low"}
    assert body["queue"]["workers"] == 0 and body["warnings"]


def test_health_is_503_when_redis_is_down(app, ctx):
    from redis import Redis

    from server.services.health import check_health
    real = app.extensions["redis"]
    app.extensions["redis"] = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    try:
        report = check_health()
        assert report["status"] == "down" and not report["redis"]["ok"]
        assert report["database"]["ok"]
        assert app.test_client().get("/healthz").status_code == 503
    finally:
        app.extensions["redis"] = real


def test_openapi_document_is_built_from_the_validating_schemas(client, ctx):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    login = doc["paths"]["/api/v1/auth/login"]["post"]
    assert login["requestBody"]["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/LoginIn"
    schema = doc["components"]["schemas"]["LoginIn"]
    assert schema["required"] == ["code"] and schema["properties"]["code"]["maxLength"] == 128
    assert schema["additionalProperties"] is False
    assert "401" in login["responses"] and "security" not in login
    assert doc["paths"]["/api/v1/me"]["get"]["security"] == [{"bearer": []}]
    assert doc["paths"]["/api/v1/orgs/{org_id}"]["get"]["parameters"][0]["name"] == "org_id"
    assert len([m for p in doc["paths"].values() for m in p]) == len(ROUTES)


def _document(client) -> dict:
    return client.get("/api/v1/openapi.json").get_json()


def _operations_and_their_refs(doc: dict) -> list[tuple[str, str]]:
    return [(f"{method.upper()} {path}", ref) for path, methods in doc["paths"].items()
            for method, op in methods.items()
            for ref in sorted(set(re.findall(r'"\$ref": "([^"]+)"', json.dumps(op))))]


def test_every_reference_of_every_operation_resolves(client, ctx):
    """A $ref that points at no component leaves a client generator (the mini-program team's) or a
    reader of /api/docs with no schema: it happened to every model whose class name another API
    module also used (SeasonOut of /seasons/current, SeasonIn, ScoreIn, OkOut)."""
    doc = _document(client)
    components = doc["components"]["schemas"]
    table = _operations_and_their_refs(doc)
    assert len(table) > 2 * len(ROUTES)
    unresolved = [(op, ref) for op, ref in table
                  if not (ref.startswith("#/components/schemas/") and ref.split("/")[-1] in components)]
    assert unresolved == []
    inner = sorted(set(re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', json.dumps(components))))
    assert inner and [name for name in inner if name not in components] == []


@pytest.mark.parametrize("operation, model", [
    ("GET /api/v1/seasons/current", "SeasonOut"),
    ("POST /api/v1/admin/seasons", "SeasonAdminOut"),
    ("PUT /api/v1/entries/{entry_id}/score", "ScoreOut"),
    ("POST /api/v1/auth/logout", "OkOut"),
    ("POST /api/v1/expert/conflicts", "OkDetailOut"),
])
def test_each_operation_names_its_own_response_model(client, ctx, operation, model):
    method, path = operation.split(" ")
    op = _document(client)["paths"][path][method.lower()]
    ok = next(v for k, v in op["responses"].items() if k.startswith("2"))
    assert ok["content"]["application/json"]["schema"] == {"$ref": f"#/components/schemas/{model}"}


def test_component_names_are_the_models_class_names(client, ctx):
    """Two API models of one class name would get module-path names (server__api__x__SeasonIn)
    that nobody reading the docs can use: each model has its own name."""
    assert [name for name in _document(client)["components"]["schemas"] if "__" in name] == []


def test_interactive_docs_are_served_without_a_cdn(client, ctx):
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/api/v1/openapi.json" in html and "https://" not in html
    assert client.get("/api/docs/static/swagger-ui-bundle.js").status_code == 200


def test_home_page_shows_the_season(client, seeded):
    html = client.get("/").get_data(as_text=True)
    assert seeded["demo_season"].name in html and "demo-participant" in html and "chat.js" in html
