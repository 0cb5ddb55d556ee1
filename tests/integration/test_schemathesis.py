"""The API against its own OpenAPI document (issue 13, item 6), run by schemathesis: every
operation, generated bodies and path ids, sent with no token and with the token of each demo
role. No response may be a 500, and every response must match the document (status code,
content type, body schema). The number of examples per operation is bounded so the whole
suite stays within CI's time."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (content_type_conformance, not_a_server_error, response_schema_conformance,
                                 status_code_conformance)

from server import create_app

from ..helpers import login

ROLE_CODES = ("demo-participant", "demo-estation", "demo-unit-admin", "demo-county-admin",
              "demo-county-admin-zezhou", "demo-city-admin", "demo-expert", "a-user-without-roles")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 12


# Loaded when the module is collected, from an app of the test environment (the same database
# and Redis as the `app` fixture, which builds the tables before any test runs).
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", create_app())


@pytest.fixture()
def tokens(client, seeded, wx):
    return [None] + [login(client, code)["token"] for code in ROLE_CODES]


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_every_operation_for_every_role(case, tokens):
    for token in tokens:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        case.call_and_validate(headers=headers, checks=CHECKS)
