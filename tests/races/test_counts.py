"""Races on one user's counts: stats and list totals come from tallies that every write keeps
in its own transaction, so writes sent at once must leave them exact (issue 22)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from tests.races.conftest import race

if TYPE_CHECKING:
    from tests.live_server import Api, LiveServer

pytestmark = [pytest.mark.races, pytest.mark.postgres, pytest.mark.redis]

ROUNDS = 6
WRITERS = 8
STATUSES = ("PENDING", "IN_PROGRESS", "COMPLETED")
PRIORITIES = ("LOW", "MEDIUM", "HIGH")


def _every_task(api: Api) -> list[dict[str, Any]]:
    tasks: list[dict[str, Any]] = []
    cursor = ""
    while True:
        body = api.get(f"/tasks?limit=100{cursor}").json()
        tasks += body["data"]
        if body["meta"]["nextCursor"] is None:
            return tasks
        cursor = f"&cursor={body['meta']['nextCursor']}"


def _assert_exact(api: Api, round_: int) -> None:
    tasks = _every_task(api)
    stats = api.get("/tasks/stats").json()
    now = datetime.now(UTC)
    overdue = sum(
        t["dueDate"] is not None
        and t["status"] != "COMPLETED"
        and datetime.fromisoformat(t["dueDate"].replace("Z", "+00:00")) < now
        for t in tasks
    )
    assert stats["total"] == len(tasks), f"round {round_}"
    assert stats["byStatus"] == {s: sum(t["status"] == s for t in tasks) for s in STATUSES}
    assert stats["byPriority"] == {p: sum(t["priority"] == p for t in tasks) for p in PRIORITIES}
    assert stats["overdue"] == overdue, f"round {round_}"
    by_project: dict[Any, int] = {}
    for task in tasks:
        by_project[task["projectId"]] = by_project.get(task["projectId"], 0) + 1
    assert {p["projectId"]: p["count"] for p in stats["byProject"]} == by_project
    for status in STATUSES:
        meta = api.get(f"/tasks?status={status}").json()["meta"]
        assert meta["total"] == stats["byStatus"][status], f"round {round_} {status}"
    assert api.get("/tasks").json()["meta"]["total"] == len(tasks), f"round {round_}"


def test_stats_and_totals_stay_exact_when_writes_race(server: LiveServer) -> None:
    account = server.register()
    api = server.api(account)
    project = api.post("/projects", {"name": "race"}).json()["id"]
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    seeded = [
        api.post("/tasks", {"title": f"seed {n}", "dueDate": past}).json()["id"]
        for n in range(WRITERS * 2)
    ]
    for round_ in range(ROUNDS):

        def write(writer: int, client: Api, round_: int = round_) -> list[int]:
            mine = seeded[writer * 2 : writer * 2 + 2]
            status = STATUSES[(writer + round_) % 3]
            priority = PRIORITIES[(writer * 2 + round_) % 3]
            answers = [
                client.post(
                    "/tasks", {"title": f"r{round_} w{writer}", "status": status, "dueDate": past}
                ).status,
                client.patch(f"/tasks/{mine[0]}", {"status": status, "priority": priority}).status,
                client.patch(
                    f"/tasks/{mine[1]}", {"projectId": project if writer % 2 else None}
                ).status,
                client.post(
                    "/tasks/batch",
                    {"action": "update", "tasks": mine, "changes": {"priority": priority}},
                ).status,
            ]
            if writer == round_ % WRITERS:
                created = client.post("/tasks", {"title": "short-lived"}).json()["id"]
                answers.append(client.delete(f"/tasks/{created}").status)
            return answers

        answers = race([server.api(account) for _ in range(WRITERS)], write)
        assert all(status < 300 for batch in answers for status in batch), answers
        _assert_exact(api, round_)
