"""No N+1: how many SQL statements a request runs does not grow with the data it touches."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from taskflow_core.runtime import Runtime
from tests.conftest import count_all_statements, make_task

# The cache would hide the database work these tests measure.
pytestmark = pytest.mark.parametrize("settings_overrides", [{"cache_ttl": 0}], indirect=True)


def statements_for(runtime: Runtime, call: Any) -> list[str]:
    """The statements `call` runs: through SQLAlchemy, and on the event loop's connections."""
    with count_all_statements(runtime) as statements:
        response = call()
        assert response.status_code < 300, response.text
    return statements


def bulk_create(runtime: Runtime, user: dict[str, Any], count: int) -> list[str]:
    """Insert tasks directly: the HTTP path is not what is being measured here."""
    import uuid

    from taskflow_core.clock import utcnow
    from taskflow_core.models import Task

    owner = uuid.UUID(user["user"]["id"])
    now = utcnow()
    tasks = [
        Task(
            id=uuid.uuid4(),
            user_id=owner,
            number=n + 1,
            title=f"t{n}",
            created_at=now,
            updated_at=now,
            version=1,
        )
        for n in range(count)
    ]
    with runtime.database.session(write=True) as session:
        session.add_all(tasks)
        session.commit()
    return [str(task.id) for task in tasks]


def test_a_page_of_100_costs_what_a_page_of_1_costs(
    client: TestClient, runtime: Runtime, user: dict[str, Any], headers: dict[str, str]
) -> None:
    bulk_create(runtime, user, 120)
    one = statements_for(runtime, lambda: client.get("/tasks?limit=1", headers=headers))
    hundred = statements_for(runtime, lambda: client.get("/tasks?limit=100", headers=headers))
    assert len(hundred) == len(one)
    cursor = client.get("/tasks?limit=100", headers=headers).json()["meta"]["nextCursor"]
    offsets: list[Any] = []

    def record_offset(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "FROM tasks" in statement and "OFFSET" in statement.upper():
            # SQLite always writes "LIMIT ? OFFSET ?"; PostgreSQL only when there is one.
            offsets.append(parameters[-1] if isinstance(parameters, tuple) else None)

    event.listen(runtime.database.engine, "before_cursor_execute", record_offset)
    try:
        by_cursor = statements_for(
            runtime, lambda: client.get("/tasks", headers=headers, params={"cursor": cursor})
        )
    finally:
        event.remove(runtime.database.engine, "before_cursor_execute", record_offset)
    # Keyset pages skip the COUNT, and never skip rows with OFFSET.
    assert len(by_cursor) == len(one) - 1
    assert all(offset == 0 for offset in offsets)


def test_reading_a_task_and_stats_take_a_fixed_few_statements(
    client: TestClient, runtime: Runtime, user: dict[str, Any], headers: dict[str, str]
) -> None:
    ids = bulk_create(runtime, user, 50)
    task = statements_for(runtime, lambda: client.get(f"/tasks/{ids[0]}", headers=headers))
    stats = statements_for(runtime, lambda: client.get("/tasks/stats", headers=headers))
    assert len(task) <= 3  # authenticate + the task (+ PostgreSQL's pool pre-ping)
    assert len(stats) <= 3


@pytest.mark.parametrize("action", ["complete", "delete", "update"])
def test_a_batch_of_500_costs_what_a_batch_of_5_costs(
    client: TestClient,
    runtime: Runtime,
    user: dict[str, Any],
    headers: dict[str, str],
    action: str,
) -> None:
    ids = bulk_create(runtime, user, 505)
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
    assert len(large) == len(small) <= 6


def test_creating_and_updating_take_a_fixed_few_statements(
    client: TestClient, runtime: Runtime, headers: dict[str, str]
) -> None:
    created = statements_for(
        runtime, lambda: client.post("/tasks", headers=headers, json={"title": "t"})
    )
    task_id = make_task(client, headers)["id"]
    updated = statements_for(
        runtime, lambda: client.patch(f"/tasks/{task_id}", headers=headers, json={"title": "u"})
    )
    # The caller's row, the owner's next number, the row itself.
    assert len([sql for sql in created if not sql.startswith("BEGIN")]) == 3
    assert len(updated) <= 5
