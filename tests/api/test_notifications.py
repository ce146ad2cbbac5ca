"""Overdue notifications: the scan creates one per task and due date, the inbox lists them."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from taskflow_core.jobs import scan_overdue
from taskflow_core.runtime import Runtime
from tests.conftest import bearer, make_task, register


def past(days: int = 1) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat()


def inbox(client: TestClient, headers: dict[str, str], query: str = "") -> list[dict[str, Any]]:
    response = client.get(f"/notifications{query}", headers=headers)
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


def test_the_scan_notifies_each_overdue_task_once(
    client: TestClient, runtime: Runtime, headers: dict[str, str]
) -> None:
    late = make_task(client, headers, title="Late", dueDate=past())
    make_task(client, headers, title="Done", dueDate=past(), status="COMPLETED")
    make_task(
        client, headers, title="Future", dueDate=(datetime.now(UTC) + timedelta(days=1)).isoformat()
    )
    make_task(client, headers, title="Undated")
    assert scan_overdue(runtime) == 1
    assert scan_overdue(runtime) == 0
    [notification] = inbox(client, headers)
    assert notification["type"] == "task.overdue"
    assert notification["taskId"] == late["id"]
    assert notification["readAt"] is None
    assert 'Task #1 "Late" is overdue' in notification["message"]


def test_concurrent_scans_still_create_one_notification_per_task(
    client: TestClient, runtime: Runtime, headers: dict[str, str]
) -> None:
    for n in range(5):
        make_task(client, headers, title=f"late {n}", dueDate=past())
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda _: scan_overdue(runtime), range(4)))
    assert len(inbox(client, headers, "?limit=100")) == 5


def test_a_new_due_date_that_passes_notifies_again(
    client: TestClient, runtime: Runtime, headers: dict[str, str]
) -> None:
    task = make_task(client, headers, dueDate=past(3))
    scan_overdue(runtime)
    client.patch(f"/tasks/{task['id']}", headers=headers, json={"dueDate": past(1)})
    scan_overdue(runtime)
    assert len(inbox(client, headers)) == 2


def test_notifications_are_private_and_marked_read(
    client: TestClient, runtime: Runtime, headers: dict[str, str]
) -> None:
    make_task(client, headers, dueDate=past())
    scan_overdue(runtime)
    [notification] = inbox(client, headers)
    other = bearer(register(client))
    assert inbox(client, other) == []
    url = f"/notifications/{notification['id']}/read"
    assert client.post(url, headers=other).status_code == 404
    assert client.post(url, headers=headers).status_code == 204
    assert client.post(url, headers=headers).status_code == 204
    assert inbox(client, headers, "?unread=true") == []
    [read] = inbox(client, headers, "?unread=false")
    assert read["readAt"] is not None


def test_deleting_the_task_removes_its_notifications(
    client: TestClient, runtime: Runtime, headers: dict[str, str]
) -> None:
    task = make_task(client, headers, dueDate=past())
    scan_overdue(runtime)
    client.delete(f"/tasks/{task['id']}", headers=headers)
    assert inbox(client, headers) == []
