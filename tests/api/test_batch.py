"""POST /tasks/batch: complete, delete, update; foreign ids fail, nothing is half-applied."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from taskflow_core.operations.tasks.writes import HEAVY_SLOTS
from taskflow_core.runtime import Runtime
from tests.conftest import bearer, make_admin, make_task, register


def batch(client: TestClient, headers: dict[str, str], **body: Any) -> Any:
    return client.post("/tasks/batch", headers=headers, json=body)


def statuses(client: TestClient, headers: dict[str, str]) -> dict[str, str]:
    tasks = client.get("/tasks?limit=100", headers=headers).json()["data"]
    return {task["id"]: task["status"] for task in tasks}


def test_complete_reports_foreign_and_unknown_ids_as_not_found(
    client: TestClient, headers: dict[str, str]
) -> None:
    mine = [make_task(client, headers)["id"] for _ in range(3)]
    theirs = make_task(client, bearer(register(client)))["id"]
    unknown = str(uuid.uuid4())
    response = batch(client, headers, action="complete", tasks=[*mine, theirs, unknown])
    assert response.status_code == 200
    assert response.json() == {
        "action": "complete",
        "processed": 5,
        "succeeded": mine,
        "failed": [{"id": theirs, "error": "not found"}, {"id": unknown, "error": "not found"}],
    }
    assert set(statuses(client, headers).values()) == {"COMPLETED"}


def test_complete_keeps_the_first_completion_time(
    client: TestClient, headers: dict[str, str]
) -> None:
    done = make_task(client, headers, status="COMPLETED")
    batch(client, headers, action="complete", tasks=[done["id"]])
    again = client.get(f"/tasks/{done['id']}", headers=headers).json()
    assert again["completedAt"] == done["completedAt"]
    assert again["version"] == 1


def test_foreign_tasks_are_untouched(client: TestClient, headers: dict[str, str]) -> None:
    other = bearer(register(client))
    theirs = make_task(client, other)
    batch(client, headers, action="delete", tasks=[theirs["id"]])
    batch(client, headers, action="complete", tasks=[theirs["id"]])
    assert client.get(f"/tasks/{theirs['id']}", headers=other).json()["status"] == "PENDING"


def test_delete(client: TestClient, headers: dict[str, str]) -> None:
    ids = [make_task(client, headers)["id"] for _ in range(3)]
    response = batch(client, headers, action="delete", tasks=ids[:2])
    assert response.json()["succeeded"] == ids[:2]
    assert list(statuses(client, headers)) == [ids[2]]


def test_update_applies_the_changes_and_completed_at_rules(
    client: TestClient, headers: dict[str, str]
) -> None:
    done = make_task(client, headers, status="COMPLETED")
    pending = make_task(client, headers)
    response = batch(
        client,
        headers,
        action="update",
        tasks=[done["id"], pending["id"]],
        changes={"status": "IN_PROGRESS", "priority": "HIGH"},
    )
    assert response.status_code == 200
    for task_id in (done["id"], pending["id"]):
        task = client.get(f"/tasks/{task_id}", headers=headers).json()
        assert (task["status"], task["priority"], task["completedAt"]) == (
            "IN_PROGRESS",
            "HIGH",
            None,
        )
        assert task["version"] == 2


def test_duplicate_ids_count_once(client: TestClient, headers: dict[str, str]) -> None:
    task = make_task(client, headers)
    body = batch(client, headers, action="complete", tasks=[task["id"]] * 3).json()
    assert (body["processed"], body["succeeded"], body["failed"]) == (1, [task["id"]], [])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"action": "archive", "tasks": ["00000000-0000-0000-0000-000000000001"]}, "action"),
        ({"action": "complete", "tasks": []}, "tasks"),
        ({"action": "complete", "tasks": ["nope"]}, "tasks.0"),
        ({"action": "update", "tasks": ["00000000-0000-0000-0000-000000000001"]}, "changes"),
        (
            {
                "action": "update",
                "tasks": ["00000000-0000-0000-0000-000000000001"],
                "changes": {"title": ""},
            },
            "changes.title",
        ),
        (
            {
                "action": "complete",
                "tasks": ["00000000-0000-0000-0000-000000000001"],
                "changes": {"title": "x"},
            },
            "changes",
        ),
        (
            {
                "action": "update",
                "tasks": ["00000000-0000-0000-0000-000000000001"],
                "changes": {"version": 3},
            },
            "changes.version",
        ),
    ],
)
def test_invalid_batches_are_422(
    client: TestClient, headers: dict[str, str], body: dict[str, Any], field: str
) -> None:
    response = client.post("/tasks/batch", headers=headers, json=body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field


def test_more_than_1000_ids_is_422(client: TestClient, headers: dict[str, str]) -> None:
    ids = [str(uuid.uuid4()) for _ in range(1001)]
    assert batch(client, headers, action="complete", tasks=ids).status_code == 422


def test_moving_tasks_in_a_batch_is_refused(
    client: TestClient, runtime: Runtime, headers: dict[str, str], user: dict[str, Any]
) -> None:
    task = make_task(client, headers)
    admin = bearer(make_admin(client, runtime))
    response = batch(
        client, admin, action="update", tasks=[task["id"]], changes={"userId": user["user"]["id"]}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "changes.userId", "message": "unknown field"}]


def test_admin_batch_reaches_every_owner(
    client: TestClient, runtime: Runtime, headers: dict[str, str]
) -> None:
    theirs = make_task(client, headers)
    admin = bearer(make_admin(client, runtime))
    assert batch(client, admin, action="complete", tasks=[theirs["id"]]).json()["failed"] == []
    assert client.get(f"/tasks/{theirs['id']}", headers=headers).json()["status"] == "COMPLETED"


def test_a_failure_midway_rolls_back_the_whole_batch(
    client: TestClient, runtime: Runtime, headers: dict[str, str]
) -> None:
    ids = [make_task(client, headers)["id"] for _ in range(3)]

    def fail_on_cache_bump(statement: str) -> None:
        # A batch ends by bumping the owners' cache versions (on SQLite a statement after the
        # delete, in the same transaction): make that fail once the tasks are deleted.
        if "UPDATE users" in statement:
            raise RuntimeError("database went away")

    runtime.database.statement_listeners.append(fail_on_cache_bump)
    try:
        response = batch(client, headers, action="delete", tasks=ids)
    finally:
        runtime.database.statement_listeners.remove(fail_on_cache_bump)
    assert response.status_code == 500
    assert response.json()["detail"] == "Internal server error"
    assert sorted(statuses(client, headers)) == sorted(ids)


@pytest.mark.parametrize("settings_overrides", [{"db_timeout": 0.3}], indirect=True)
def test_batches_wait_for_a_batch_slot_and_leave_the_other_routes_their_connections(
    client: TestClient, runtime: Runtime, headers: dict[str, str]
) -> None:
    """A process runs only HEAVY_SLOTS batches at once; one that cannot get a turn within
    the database timeout is a 503 that changed nothing, and other routes go on meanwhile."""
    task = make_task(client, headers)
    slots = runtime.task_writes.heavy_slots
    for _ in range(HEAVY_SLOTS):
        client.portal.call(slots.acquire)  # type: ignore[union-attr]
    try:
        busy = batch(client, headers, action="complete", tasks=[task["id"]])
        assert busy.status_code == 503
        assert busy.json()["detail"] == "Server busy, try again shortly"
        assert statuses(client, headers) == {task["id"]: "PENDING"}
    finally:
        slots.release()
    assert batch(client, headers, action="complete", tasks=[task["id"]]).status_code == 200
    assert statuses(client, headers) == {task["id"]: "COMPLETED"}
