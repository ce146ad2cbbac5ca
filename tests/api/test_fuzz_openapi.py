"""Property-based fuzzing of every documented operation: no 500s, responses as documented."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from server.app import create_app
from taskflow_core.settings import Settings
from tests.conftest import make_task


@pytest.fixture
def api_schema(client: TestClient, headers: dict[str, str], settings: Settings) -> Any:
    make_task(client, headers)  # something for the reads to find
    # Schemathesis serves the app from an event loop of its own, so it gets an app (and a
    # runtime, whose async clients belong to one loop) of its own, on the same database.
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(settings))


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_operation_behaves_as_documented(case: Any, headers: dict[str, str]) -> None:
    # A cursor is opaque and signed: any string fits its schema, but only ours are accepted.
    opaque = bool(case.query and case.query.get("cursor"))
    case.call_and_validate(
        headers=headers, excluded_checks=[positive_data_acceptance] if opaque else []
    )
