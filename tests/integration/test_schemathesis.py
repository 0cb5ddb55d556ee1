"""The API against its own OpenAPI document (issue 13, item 6), run by schemathesis: every
operation, generated bodies and path ids, sent with no token and with the token of each demo
role. No response may be a 500, and every response must match the document (status code,
content type, body schema). The number of examples per operation is bounded so the whole
suite stays within CI's time."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
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
# One test per operation, named by it (schemathesis' own `schema.parametrize()` gives all 89 the
# same node id, which a test report cannot tell apart and pytest-xdist's scope scheduling merged
# into one test).
OPERATIONS = [result.ok() for result in schema.get_all_operations()]


@pytest.fixture()
def tokens(client, seeded, wx):
    return [None] + [login(client, code)["token"] for code in ROLE_CODES]


@pytest.mark.parametrize("operation", OPERATIONS, ids=[op.label for op in OPERATIONS])
def test_every_operation_for_every_role(operation, tokens):
    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def every_role(case):
        for token in tokens:
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            case.call_and_validate(headers=headers, checks=CHECKS)

    every_role()


def test_every_operation_of_the_document_is_tried():
    assert len({op.label for op in OPERATIONS}) == len(OPERATIONS) > 80
