"""Schemathesis over every documented operation, as a user and (the admin routes) as an admin,
on both databases: no 5xx, every 4xx a problem document, responses as documented.

The hostile inputs a schema-driven fuzzer does not think of are sent on purpose by
`test_fuzz_hostile.py`.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import missing_required_header, positive_data_acceptance

from server.app import create_app
from taskflow_core.runtime import Runtime
from taskflow_core.settings import Settings
from tests.api.hostile import assert_handled
from tests.conftest import bearer, make_admin, make_task

# Operations only an admin can do anything with; a user's run gets 403s from them.
ADMIN_PATHS = "^/users"
EXAMPLES = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _served_as(settings: Settings, token_headers: dict[str, str]) -> Any:
    # Schemathesis serves the app from an event loop of its own, so it gets an app (and a
    # runtime, whose async clients belong to one loop) of its own, on the same database. The
    # token is the schema's configured bearer auth, as `[auth.openapi.HTTPBearer]` would set
    # it: schemathesis then knows the credentials are real, judges a negative case by the
    # values it generated, and probes the operation without them itself.
    token = token_headers["Authorization"].removeprefix("Bearer ")
    config = SchemathesisConfig.from_dict({"auth": {"openapi": {"HTTPBearer": {"bearer": token}}}})
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(settings), config=config)


@pytest.fixture
def api_schema(client: TestClient, headers: dict[str, str], settings: Settings) -> Any:
    make_task(client, headers)  # something for the reads to find
    return _served_as(settings, headers)


@pytest.fixture
def admin_api_schema(client: TestClient, runtime: Runtime, settings: Settings) -> Any:
    return _served_as(settings, bearer(make_admin(client, runtime)))


schema = schemathesis.pytest.from_fixture("api_schema")
admin_schema = schemathesis.pytest.from_fixture("admin_api_schema")


# Fields whose values are checked against the database: a project that must be the owner's,
# labels that an account may have only so many of.
RULES_OF_THE_DATABASE = (
    "password",
    "currentPassword",
    "projectId",
    "parentId",
    "labels",
    "refreshToken",
)
# Query parameters naming what the owner must have (404 when they have no such project).
NAMED_IN_THE_QUERY = ("project", "label", "anyLabel", "notLabel")


def _rule_not_in_the_schema(case: Any, response: Any) -> bool:
    """Refusals that JSON Schema cannot express: a forged cursor, a weak password, a project
    the caller does not have, a name taken (409), a refresh with its token in neither the body
    nor the cookie."""
    if case.query and case.query.get("cursor"):
        return True
    if response.status_code == 409:
        return True
    if response.status_code == 404 and case.query:
        return any(name in case.query for name in NAMED_IN_THE_QUERY)
    if response.status_code != 422:
        return False
    fields = {error["field"] for error in response.json().get("errors", [])}
    return bool(fields) and all(
        field.rsplit(".", 1)[-1] in RULES_OF_THE_DATABASE or field.endswith("Labels")
        for field in fields
    )


def _check(case: Any) -> None:
    response = case.call()
    assert_handled(response)
    # Such a request is refused even without a token: bodies are validated before the caller.
    excluded = [positive_data_acceptance, missing_required_header]
    case.validate_response(
        response, excluded_checks=excluded if _rule_not_in_the_schema(case, response) else []
    )


@schema.exclude(path_regex=ADMIN_PATHS).parametrize()
@EXAMPLES
def test_every_operation_behaves_as_documented(case: Any) -> None:
    _check(case)


@admin_schema.include(path_regex=ADMIN_PATHS).parametrize()
@EXAMPLES
def test_the_admin_operations_behave_as_documented_for_an_admin(case: Any) -> None:
    _check(case)
