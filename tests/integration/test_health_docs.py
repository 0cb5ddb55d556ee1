"""/healthz reports database, Redis and queues; the OpenAPI document comes from the schemas."""
from __future__ import annotations

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


def test_interactive_docs_are_served_without_a_cdn(client, ctx):
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/api/v1/openapi.json" in html and "https://" not in html
    assert client.get("/api/docs/static/swagger-ui-bundle.js").status_code == 200


def test_home_page_shows_the_season(client, seeded):
    html = client.get("/").get_data(as_text=True)
    assert seeded["demo_season"].name in html and "demo-participant" in html and "chat.js" in html
