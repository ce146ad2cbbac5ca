"""Health probes and the OpenAPI document."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient

from server.app import create_app
from taskflow_core.adapters.tokens import AccessTokens
from taskflow_core.domain.enums import Role
from tests.conftest import make_settings


def test_liveness(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}


def test_readiness_checks_the_database(client: TestClient) -> None:
    body = client.get("/health/ready").json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["database"]["latencyMs"] >= 0


def test_without_a_database_readiness_and_routes_answer_503_fast(tmp_path: Path) -> None:
    # Nothing listens on port 1: the database is "down" from the first request on.
    settings = make_settings(
        "postgresql+psycopg://postgres@127.0.0.1:1/none", data_dir=tmp_path, db_timeout=1
    )
    token = (
        AccessTokens(settings)
        .issue(user_id=uuid.uuid4(), session_id=uuid.uuid4(), role=Role.USER, now=datetime.now(UTC))
        .token
    )
    with TestClient(create_app(settings)) as client:
        assert client.get("/health").status_code == 200
        ready = client.get("/health/ready")
        assert ready.status_code == 503
        assert ready.json()["status"] == "down"
        assert ready.json()["checks"]["database"]["status"] == "down"
        tasks = client.get("/tasks", headers={"Authorization": f"Bearer {token}"})
        assert tasks.status_code == 503
        assert tasks.json()["detail"] == "Database unavailable"
        assert tasks.headers["retry-after"]


def test_every_route_is_documented_with_its_errors(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    expected = {
        ("post", "/auth/register"),
        ("post", "/auth/login"),
        ("post", "/auth/refresh"),
        ("post", "/auth/logout"),
        ("get", "/auth/me"),
        ("post", "/users"),
        ("get", "/users"),
        ("get", "/users/{user_id}"),
        ("patch", "/users/{user_id}"),
        ("delete", "/users/{user_id}"),
        ("get", "/tasks"),
        ("post", "/tasks"),
        ("get", "/tasks/{task_id}"),
        ("patch", "/tasks/{task_id}"),
        ("delete", "/tasks/{task_id}"),
        ("post", "/tasks/batch"),
        ("get", "/tasks/stats"),
        ("post", "/tasks/bulk"),
        ("get", "/notifications"),
        ("post", "/notifications/read"),
        ("post", "/notifications/{notification_id}/read"),
        ("get", "/health"),
        ("get", "/health/ready"),
    }
    documented = {(m, p) for p, ops in spec["paths"].items() for m in ops}
    assert expected <= documented
    for method, path in expected - {("get", "/health"), ("get", "/health/ready")}:
        operation = spec["paths"][path][method]
        assert operation.get("summary") or operation.get("description"), (method, path)
        errors = {code for code in operation["responses"] if code.startswith(("4", "5"))}
        assert errors, (method, path)
        for code in errors:
            content = operation["responses"][code]["content"]
            assert "application/problem+json" in content, (method, path, code)
    assert "Problem" in spec["components"]["schemas"]
    task_schema = spec["components"]["schemas"]["TaskOut"]["properties"]
    assert {"dueDate", "createdAt", "userId", "completedAt"} <= set(task_schema)


def test_query_parameters_are_documented_with_their_types(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    parameters = {p["name"]: p for p in spec["paths"]["/tasks"]["get"]["parameters"]}
    assert list(parameters) == [
        "page", "limit", "cursor", "status", "priority", "search", "dueBefore", "dueAfter",
        "overdue", "number", "project", "includeSubprojects", "noProject", "label", "anyLabel",
        "notLabel", "userId", "sort", "order",
    ]  # fmt: skip
    assert all(p["in"] == "query" and not p["required"] for p in parameters.values())
    assert parameters["limit"]["schema"]["maximum"] == 100
    status_items = parameters["status"]["schema"]["items"]
    assert spec["components"]["schemas"][status_items["$ref"].rsplit("/", 1)[1]]["enum"] == [
        "PENDING", "IN_PROGRESS", "COMPLETED"
    ]  # fmt: skip
    assert "userId" in {p["name"] for p in spec["paths"]["/tasks/stats"]["get"]["parameters"]}
    assert "unread" in {p["name"] for p in spec["paths"]["/notifications"]["get"]["parameters"]}
    assert "role" in {p["name"] for p in spec["paths"]["/users"]["get"]["parameters"]}


def test_the_routes_that_take_a_token_document_bearer_auth_and_only_they(
    client: TestClient,
) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["components"]["securitySchemes"] == {
        "HTTPBearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "An access token from /auth/login",
        }
    }
    public = {
        ("post", "/auth/register"),
        ("post", "/auth/login"),
        ("post", "/auth/refresh"),
        ("post", "/auth/logout"),
        ("get", "/health"),
        ("get", "/health/ready"),
    }
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            expected = None if (method, path) in public else [{"HTTPBearer": []}]
            assert operation.get("security") == expected, (method, path)
            # Swagger UI's "Authorize" and every client generator read exactly this.
            if expected:
                assert "401" in operation["responses"], (method, path)


def test_swagger_ui_is_served(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert "swagger" in response.text.lower()


def test_the_docs_sections_read_from_logging_in_to_health(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    sections = [tag["name"] for tag in spec["tags"]]
    assert sections == ["auth", "users", "tasks", "projects", "labels", "notifications", "health"]
    # Every operation sits in one of them.
    used = {tag for operations in spec["paths"].values() for op in operations.values()
            for tag in op["tags"]}  # fmt: skip
    assert used == set(sections)
