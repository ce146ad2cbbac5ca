"""The OpenAPI document states the rules clients run into."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient


@pytest.fixture
def spec(client: TestClient) -> dict[str, Any]:
    document: dict[str, Any] = client.get("/openapi.json").json()
    return document


def _parameters(spec: dict[str, Any], path: str, method: str) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in spec["paths"][path][method].get("parameters", [])}


def test_every_task_list_parameter_is_described(spec: dict[str, Any]) -> None:
    parameters = _parameters(spec, "/tasks", "get")
    assert len(parameters) == 19
    for name, parameter in parameters.items():
        assert parameter.get("description"), name
    assert "comma" in parameters["status"]["description"]
    assert "comma" in parameters["priority"]["description"]
    assert "400" in parameters["cursor"]["description"]


def test_the_task_routes_document_etag_and_if_match(spec: dict[str, Any]) -> None:
    for path, method, status in (
        ("/tasks", "post", "201"),
        ("/tasks/{task_id}", "get", "200"),
        ("/tasks/{task_id}", "patch", "200"),
    ):
        assert "ETag" in spec["paths"][path][method]["responses"][status]["headers"], path
    for method in ("patch", "delete"):
        if_match = _parameters(spec, "/tasks/{task_id}", method)["if-match"]
        assert if_match["in"] == "header"
        assert "412" in if_match["description"]
        assert "412" in spec["paths"]["/tasks/{task_id}"][method]["responses"]


def test_current_password_rules_are_stated(spec: dict[str, Any]) -> None:
    fields = spec["components"]["schemas"]["UserUpdate"]["properties"]
    rule = fields["currentPassword"]["description"]
    assert "password" in rule
    assert "email" in rule
    assert "any change" in rule


def test_text_password_and_date_rules_are_stated(spec: dict[str, Any]) -> None:
    task = spec["components"]["schemas"]["TaskCreate"]["properties"]
    assert "Trimmed first" in task["title"]["description"]
    assert "0002" in str(task["dueDate"])
    register = spec["components"]["schemas"]["RegisterRequest"]["properties"]
    assert "commonly breached" in register["password"]["description"]
    cursor_400 = spec["paths"]["/tasks"]["get"]["responses"]["400"]["description"]
    assert "cursor" in cursor_400
