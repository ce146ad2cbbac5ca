"""No N+1, and few round trips: how many statements a request runs does not grow with the data
it touches, and the common requests take one or two."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from taskflow_core.runtime import Runtime
from tests.conftest import count_statements, make_task

# The cache would hide the database work these tests measure.
pytestmark = pytest.mark.parametrize("settings_overrides", [{"cache_ttl": 0}], indirect=True)


def statements_for(runtime: Runtime, call: Any) -> list[str]:
    """The statements `call` runs on the database."""
    with count_statements(runtime) as statements:
        response = call()
        assert response.status_code < 300, response.text
    return statements


def bulk_create(client: TestClient, headers: dict[str, str], count: int) -> list[str]:
    created: list[str] = []
    for start in range(0, count, 1000):
        tasks = [{"title": f"t{n}"} for n in range(start, min(count, start + 1000))]
        response = client.post("/tasks/bulk", headers=headers, json={"tasks": tasks})
        assert response.status_code == 201, response.text
        created += [task["id"] for task in response.json()["data"]]
    return created


def test_a_page_of_100_costs_what_a_page_of_1_costs(
    client: TestClient, runtime: Runtime, headers: dict[str, str]
) -> None:
    bulk_create(client, headers, 120)
    one = statements_for(runtime, lambda: client.get("/tasks?limit=1", headers=headers))
    hundred = statements_for(runtime, lambda: client.get("/tasks?limit=100", headers=headers))
    # The caller, then the page and its total in one statement.
    assert len(one) == len(hundred) == 2
    cursor = client.get("/tasks?limit=100", headers=headers).json()["meta"]["nextCursor"]
    by_cursor = statements_for(
        runtime, lambda: client.get("/tasks", headers=headers, params={"cursor": cursor})
    )
    # Keyset pages skip the count, and never skip rows with OFFSET (SQLite's dialect always
    # writes one after LIMIT, with a constant 0).
    assert len(by_cursor) == 2
    assert "count(" not in by_cursor[-1].lower()
    if runtime.database.chains_writes:
        assert "OFFSET" not in by_cursor[-1].upper()


def test_reading_a_task_and_stats_take_two_statements(
    client: TestClient, runtime: Runtime, headers: dict[str, str]
) -> None:
    ids = bulk_create(client, headers, 50)
    task = statements_for(runtime, lambda: client.get(f"/tasks/{ids[0]}", headers=headers))
    stats = statements_for(runtime, lambda: client.get("/tasks/stats", headers=headers))
    assert len(task) == len(stats) == 2  # the caller, then the task or the counts


@pytest.mark.parametrize("action", ["complete", "delete", "update"])
def test_a_batch_of_500_costs_what_a_batch_of_5_costs(
    client: TestClient,
    runtime: Runtime,
    headers: dict[str, str],
    action: str,
) -> None:
    ids = bulk_create(client, headers, 505)
    body: dict[str, Any] = {"action": action}
    if action == "update":
        body["changes"] = {"priority": "HIGH"}
    small = statements_for(
        runtime,
        lambda: client.post("/tasks/batch", headers=headers, json=body | {"tasks": ids[:5]}),
    )
    large = statements_for(
        runtime,
        lambda: client.post("/tasks/batch", headers=headers, json=body | {"tasks": ids[5:]}),
    )
    assert len(large) == len(small) <= 2


def test_creating_updating_and_deleting_take_one_statement_on_postgresql(
    client: TestClient, runtime: Runtime, headers: dict[str, str]
) -> None:
    created = statements_for(
        runtime, lambda: client.post("/tasks", headers=headers, json={"title": "t"})
    )
    task_id = make_task(client, headers)["id"]
    updated = statements_for(
        runtime, lambda: client.patch(f"/tasks/{task_id}", headers=headers, json={"title": "u"})
    )
    deleted = statements_for(runtime, lambda: client.delete(f"/tasks/{task_id}", headers=headers))
    if runtime.database.chains_writes:
        assert len(created) == len(updated) == len(deleted) == 1
    else:
        # SQLite has no writes in a WITH: the number, then the row; the change, then the bump.
        assert len(created) == len(updated) == len(deleted) == 2


def test_bulk_creation_is_two_statements_for_any_number_of_tasks(
    client: TestClient, runtime: Runtime, headers: dict[str, str]
) -> None:
    few = statements_for(
        runtime,
        lambda: client.post("/tasks/bulk", headers=headers, json={"tasks": [{"title": "a"}]}),
    )
    many = statements_for(
        runtime,
        lambda: client.post("/tasks/bulk", headers=headers, json={"tasks": [{"title": "b"}] * 300}),
    )
    # The owner's numbers, then every row (one statement, sent once for all rows).
    assert len(few) == len(many) == 2
