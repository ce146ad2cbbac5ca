"""POST /tasks/bulk: many tasks in one request, all or nothing, numbered in the order sent."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from taskflow_core.runtime import Runtime
from tests.conftest import bearer, make_admin, make_task, register


def bulk(client: TestClient, headers: dict[str, str], tasks: Any) -> Any:
    return client.post("/tasks/bulk", headers=headers, json={"tasks": tasks})


def all_tasks(client: TestClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = client.get("/tasks?sort=number&order=asc&limit=100", headers=headers)
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


def test_bulk_create_returns_every_task_in_the_order_sent_numbered_in_that_order(
    client: TestClient, headers: dict[str, str]
) -> None:
    make_task(client, headers, title="before")
    sent = [
        {"title": "third from the top", "priority": "HIGH", "dueDate": "2030-01-02T03:04:05Z"},
        {"title": "a", "description": "two\nlines", "status": "COMPLETED"},
        {"title": "b", "status": "IN_PROGRESS", "priority": "LOW"},
    ]

    response = bulk(client, headers, sent)

    assert response.status_code == 201, response.text
    created = response.json()["data"]
    assert [task["title"] for task in created] == ["third from the top", "a", "b"]
    assert [task["number"] for task in created] == [2, 3, 4]
    assert created[0]["dueDate"] == "2030-01-02T03:04:05Z"
    assert created[0]["priority"] == "HIGH"
    assert (created[1]["description"], created[1]["status"]) == ("two\nlines", "COMPLETED")
    assert created[1]["completedAt"] is not None
    assert created[2]["completedAt"] is None
    assert {task["version"] for task in created} == {1}
    assert all_tasks(client, headers)[1:] == created
    assert make_task(client, headers, title="after")["number"] == 5


def test_one_invalid_task_names_its_index_and_field_and_creates_nothing(
    client: TestClient, headers: dict[str, str]
) -> None:
    sent = [{"title": "fine"}, {"title": "also fine"}, {"title": "  ", "priority": "URGENT"}]

    response = bulk(client, headers, sent)

    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"tasks.2.title", "tasks.2.priority"}
    assert all_tasks(client, headers) == []
    assert make_task(client, headers)["number"] == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"tasks": []}, "tasks"),
        ({"tasks": [{"title": "x"}] * 1001}, "tasks"),
        ({}, "tasks"),
        ({"tasks": "not a list"}, "tasks"),
        ({"tasks": [{"title": "x", "id": "00000000-0000-0000-0000-000000000001"}]}, "tasks.0.id"),
        ({"tasks": [{"title": "x", "number": 7}]}, "tasks.0.number"),
        ({"tasks": [{"title": "x", "version": 9}]}, "tasks.0.version"),
        ({"tasks": [{"title": "x\x00y"}]}, "tasks.0.title"),
        ({"tasks": [{"title": "x", "dueDate": "tomorrow"}]}, "tasks.0.dueDate"),
        ({"tasks": [{"title": "x"}], "extra": True}, "extra"),
    ],
)
def test_hostile_or_malformed_bodies_are_422_naming_the_field(
    client: TestClient, headers: dict[str, str], body: Any, field: str
) -> None:
    response = client.post("/tasks/bulk", headers=headers, json=body)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert field in {error["field"] for error in response.json()["errors"]}
    assert all_tasks(client, headers) == []


def test_a_thousand_tasks_go_in_one_request(client: TestClient, headers: dict[str, str]) -> None:
    response = bulk(client, headers, [{"title": f"task {n}"} for n in range(1000)])

    assert response.status_code == 201
    created = response.json()["data"]
    assert [task["number"] for task in created] == list(range(1, 1001))
    stats = client.get("/tasks/stats", headers=headers).json()
    assert stats["total"] == 1000


def test_a_user_cannot_create_tasks_for_someone_else_and_nothing_is_created(
    client: TestClient, headers: dict[str, str]
) -> None:
    other = register(client)
    sent = [{"title": "mine"}, {"title": "x", "userId": other["user"]["id"]}]

    response = bulk(client, headers, sent)

    assert response.status_code == 403
    assert all_tasks(client, headers) == []
    assert all_tasks(client, bearer(other)) == []


def test_an_admin_creates_for_several_owners_each_numbered_in_order(
    client: TestClient, runtime: Runtime
) -> None:
    admin = bearer(make_admin(client, runtime))
    first, second = register(client), register(client)
    make_task(client, bearer(second), title="second's own")
    owner = {"a": first["user"]["id"], "b": second["user"]["id"]}
    sent = [
        {"title": "a1", "userId": owner["a"]},
        {"title": "b1", "userId": owner["b"]},
        {"title": "a2", "userId": owner["a"]},
        {"title": "admin's"},
        {"title": "b2", "userId": owner["b"]},
    ]

    response = bulk(client, admin, sent)

    assert response.status_code == 201, response.text
    numbers = {task["title"]: task["number"] for task in response.json()["data"]}
    assert numbers == {"a1": 1, "a2": 2, "b1": 2, "b2": 3, "admin's": 1}
    assert [t["title"] for t in all_tasks(client, bearer(first))] == ["a1", "a2"]
    assert [t["title"] for t in all_tasks(client, bearer(second))] == ["second's own", "b1", "b2"]


def test_an_admin_naming_an_unknown_owner_gets_422_for_that_task_and_nothing_is_created(
    client: TestClient, runtime: Runtime
) -> None:
    admin = bearer(make_admin(client, runtime))
    first = register(client)
    sent = [
        {"title": "ok", "userId": first["user"]["id"]},
        {"title": "nobody's", "userId": "00000000-0000-0000-0000-00000000beef"},
    ]

    response = bulk(client, admin, sent)

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "tasks.1.userId", "message": "no active user has this id"}
    ]
    assert all_tasks(client, bearer(first)) == []


def test_bulk_create_needs_a_login(client: TestClient) -> None:
    assert bulk(client, {}, [{"title": "x"}]).status_code == 401


def test_reads_after_a_bulk_create_see_the_new_tasks_despite_the_cache(
    client: TestClient, headers: dict[str, str]
) -> None:
    assert client.get("/tasks/stats", headers=headers).json()["total"] == 0

    bulk(client, headers, [{"title": "x"}, {"title": "y"}])

    assert client.get("/tasks/stats", headers=headers).json()["total"] == 2
    assert len(client.get("/tasks", headers=headers).json()["data"]) == 2


@pytest.mark.parametrize("settings_overrides", [{"rate_limit": "3/minute"}], indirect=True)
def test_a_bulk_create_spends_one_request_of_the_budget(client: TestClient) -> None:
    headers = bearer(register(client))

    response = bulk(client, headers, [{"title": f"t{n}"} for n in range(50)])

    assert response.status_code == 201
    assert response.headers["ratelimit-remaining"] == "2"
