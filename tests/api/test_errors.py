"""Problem documents everywhere, request ids, body limits, and 500s that leak nothing."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from taskflow_core.runtime import Runtime
from tests.conftest import make_task

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance", "requestId"}


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert set(body) >= PROBLEM_KEYS
    assert body["status"] == status
    assert body["requestId"] == response.headers["x-request-id"]
    return body


def test_unknown_route_is_a_problem(client: TestClient) -> None:
    body = assert_problem(client.get("/nowhere"), 404)
    assert body["instance"] == "/nowhere"


def test_wrong_method_lists_the_allowed_ones(client: TestClient, headers: dict[str, str]) -> None:
    response = client.put("/tasks", headers=headers)
    assert_problem(response, 405)
    assert response.headers["allow"] == "GET, POST"


def test_malformed_json_is_400(client: TestClient, headers: dict[str, str]) -> None:
    response = client.post(
        "/tasks", headers=headers | {"content-type": "application/json"}, content=b'{"title": '
    )
    assert assert_problem(response, 400)["detail"] == "Malformed JSON body"


def test_a_non_uuid_task_id_is_404(client: TestClient, headers: dict[str, str]) -> None:
    assert_problem(client.get("/tasks/12", headers=headers), 404)


def test_body_over_the_limit_is_413_and_nothing_is_stored(
    client: TestClient, headers: dict[str, str]
) -> None:
    big = {"title": "t", "description": "x" * 1_100_000}
    assert_problem(client.post("/tasks", headers=headers, json=big), 413)
    assert client.get("/tasks", headers=headers).json()["meta"]["total"] == 0


def test_streamed_body_over_the_limit_is_413(client: TestClient, headers: dict[str, str]) -> None:
    def chunks() -> Any:
        for _ in range(20):
            yield b"x" * 100_000

    response = client.post(
        "/tasks", headers=headers | {"content-type": "application/json"}, content=chunks()
    )
    assert_problem(response, 413)


def test_a_sane_request_id_is_echoed_and_a_bad_one_replaced(client: TestClient) -> None:
    assert (
        client.get("/health", headers={"X-Request-ID": "abc-123.x_y"}).headers["x-request-id"]
        == "abc-123.x_y"
    )
    for bad in ("has space", "x" * 129, "semi;colon"):
        echoed = client.get("/health", headers={"X-Request-ID": bad}).headers["x-request-id"]
        assert echoed != bad
        uuid.UUID(echoed)


@pytest.mark.parametrize("settings_overrides", [{"env": "production"}], indirect=True)
def test_an_unexpected_error_is_a_bare_500(
    client: TestClient, runtime: Runtime, headers: dict[str, str]
) -> None:
    def explode(statement: str) -> None:
        raise RuntimeError("SELECT secret FROM /srv/app/internal.py psycopg sqlalchemy")

    runtime.database.statement_listeners.append(explode)
    try:
        response = client.get("/tasks", headers=headers)
    finally:
        runtime.database.statement_listeners.remove(explode)
    body = assert_problem(response, 500)
    assert body["detail"] == "Internal server error"
    for leak in ("SELECT", "secret", "/srv", ".py", "psycopg", "sqlalchemy", "Traceback"):
        assert leak not in response.text


def test_validation_errors_do_not_echo_the_input(
    client: TestClient, headers: dict[str, str]
) -> None:
    response = client.post("/tasks", headers=headers, json={"title": "t", "priority": "<script>"})
    body = assert_problem(response, 422)
    assert "<script>" not in response.text
    assert body["errors"][0]["field"] == "priority"


def test_every_response_has_a_request_id(client: TestClient, headers: dict[str, str]) -> None:
    task = make_task(client, headers)
    for response in (
        client.get("/health"),
        client.get(f"/tasks/{task['id']}", headers=headers),
        client.get("/tasks"),
    ):
        uuid.UUID(response.headers["x-request-id"])
