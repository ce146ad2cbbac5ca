"""Overdue notifications: the scan creates one per task and due date, the inbox lists them."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from taskflow_core.operations.jobs import scan_overdue
from taskflow_core.runtime import Runtime
from tests.conftest import bearer, in_app, make_task, register


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
    assert in_app(client, scan_overdue, runtime) == 1
    assert in_app(client, scan_overdue, runtime) == 0
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
        list(pool.map(lambda _: in_app(client, scan_overdue, runtime), range(4)))
    assert len(inbox(client, headers, "?limit=100")) == 5


def test_a_new_due_date_that_passes_notifies_again(
    client: TestClient, runtime: Runtime, headers: dict[str, str]
) -> None:
    task = make_task(client, headers, dueDate=past(3))
    in_app(client, scan_overdue, runtime)
    client.patch(f"/tasks/{task['id']}", headers=headers, json={"dueDate": past(1)})
    in_app(client, scan_overdue, runtime)
    assert len(inbox(client, headers)) == 2


def test_notifications_are_private_and_marked_read(
    client: TestClient, runtime: Runtime, headers: dict[str, str]
) -> None:
    make_task(client, headers, dueDate=past())
    in_app(client, scan_overdue, runtime)
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
    in_app(client, scan_overdue, runtime)
    client.delete(f"/tasks/{task['id']}", headers=headers)
    assert inbox(client, headers) == []


def test_many_notifications_are_marked_read_in_one_request(
    client: TestClient, runtime: Runtime, headers: dict[str, str]
) -> None:
    for n in range(3):
        make_task(client, headers, title=f"late {n}", dueDate=past())
    other = bearer(register(client))
    make_task(client, other, dueDate=past())
    in_app(client, scan_overdue, runtime)
    first, _, _ = inbox(client, headers)
    [theirs] = inbox(client, other)
    marked = client.post(
        "/notifications/read", headers=headers, json={"ids": [first["id"], theirs["id"]]}
    )
    assert (marked.status_code, marked.json()) == (200, {"marked": 1})
    # Someone else's id is passed over: theirs stays unread.
    assert [n["id"] for n in inbox(client, other, "?unread=true")] == [theirs["id"]]
    everything = client.post("/notifications/read", headers=headers, json={"all": True})
    assert everything.json() == {"marked": 2}
    assert inbox(client, headers, "?unread=true") == []
    assert client.post("/notifications/read", headers=headers, json={"all": True}).json() == {
        "marked": 0
    }


def test_marking_read_takes_ids_or_all_but_not_both(
    client: TestClient, headers: dict[str, str]
) -> None:
    for body in ({}, {"all": True, "ids": [str(uuid.uuid4())]}, {"ids": []}, {"all": False}):
        response = client.post("/notifications/read", headers=headers, json=body)
        assert response.status_code == 422, body
        assert response.headers["content-type"] == "application/problem+json"


def unread_ids(client: TestClient, headers: dict[str, str]) -> set[str]:
    return {item["id"] for item in inbox(client, headers, "?unread=true&limit=100")}


def overdue_notifications(
    client: TestClient, runtime: Runtime, headers: dict[str, str], count: int
) -> list[str]:
    for n in range(count):
        make_task(client, headers, title=f"late {n}", dueDate=past())
    in_app(client, scan_overdue, runtime)
    ids = sorted(unread_ids(client, headers))
    assert len(ids) == count
    return ids


def test_mark_all_read_marks_every_unread_notification_in_one_request(
    client: TestClient, runtime: Runtime, headers: dict[str, str]
) -> None:
    overdue_notifications(client, runtime, headers, 90)

    response = client.post("/notifications/read", headers=headers, json={"all": True})

    assert response.status_code == 200
    assert response.json() == {"marked": 90}
    assert unread_ids(client, headers) == set()
    again = client.post("/notifications/read", headers=headers, json={"all": True})
    assert again.json() == {"marked": 0}


def test_mark_read_by_ids_marks_only_the_callers_unread_ones_and_ignores_the_rest(
    client: TestClient, runtime: Runtime, headers: dict[str, str]
) -> None:
    mine = overdue_notifications(client, runtime, headers, 4)
    other = bearer(register(client))
    theirs = overdue_notifications(client, runtime, other, 2)
    client.post(f"/notifications/{mine[0]}/read", headers=headers)
    unknown = "00000000-0000-0000-0000-000000000000"

    response = client.post(
        "/notifications/read",
        headers=headers,
        json={"ids": [mine[0], mine[1], mine[1], mine[2], theirs[0], unknown]},
    )

    assert response.status_code == 200
    assert response.json() == {"marked": 2}
    assert unread_ids(client, headers) == {mine[3]}
    assert unread_ids(client, other) == set(theirs)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"ids": [], "all": None},
        {"ids": []},
        {"all": False},
        {"all": "yes"},
        {"ids": ["not-a-uuid"]},
        {"ids": ["00000000-0000-0000-0000-000000000000"], "all": True},
        {"ids": ["00000000-0000-0000-0000-000000000000"] * 1001},
        {"ids": "00000000-0000-0000-0000-000000000000"},
        {"all": True, "extra": 1},
    ],
)
def test_mark_read_refuses_anything_but_ids_or_all(
    client: TestClient, runtime: Runtime, headers: dict[str, str], body: dict[str, Any]
) -> None:
    overdue_notifications(client, runtime, headers, 1)

    response = client.post("/notifications/read", headers=headers, json=body)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"]
    assert len(unread_ids(client, headers)) == 1


def test_mark_read_needs_a_login(client: TestClient) -> None:
    assert client.post("/notifications/read", json={"all": True}).status_code == 401


@pytest.mark.parametrize("settings_overrides", [{"rate_limit": "3/minute"}], indirect=True)
def test_marking_many_read_spends_one_request_of_the_budget(
    client: TestClient, runtime: Runtime
) -> None:
    headers = bearer(register(client))

    response = client.post("/notifications/read", headers=headers, json={"all": True})

    assert response.status_code == 200
    assert response.headers["ratelimit-remaining"] == "2"
