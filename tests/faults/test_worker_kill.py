"""An RQ worker killed (-9) in the middle of the overdue fan-out: once another worker has taken
over, every overdue task has exactly one notification.

The killed worker leaves behind the job it was running, the jobs still queued and the cron
leadership (until its lock expires); the new worker must finish the queue and, leading the
cron, rescan for what the killed job never committed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from tests.redis.conftest import WorkerProcesses

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from tests.live_server import Api, LiveServer

pytestmark = [pytest.mark.faults, pytest.mark.postgres, pytest.mark.redis]

OVERDUE_TASKS = 200
# The killed worker's cron leadership expires after a minute; then the new worker rescans.
TAKEOVER_TIMEOUT = 150.0


def notification_count(api: Api) -> int:
    response = api.get("/notifications?limit=1")
    assert response.status == 200, response.body
    total: int = response.json()["meta"]["total"]
    return total


def notified_task_ids(api: Api) -> Counter[str]:
    found: Counter[str] = Counter()
    page = 1
    while True:
        body = api.get(f"/notifications?limit=100&page={page}").json()
        found.update(notification["taskId"] for notification in body["data"])
        if page >= body["meta"]["totalPages"]:
            return found
        page += 1


@pytest.fixture
def start_worker(
    environment: dict[str, str], tmp_path: Path
) -> Iterator[Callable[[], subprocess.Popen[bytes]]]:
    """Start `taskflow worker` processes; all are killed after the test."""
    # The scan is registered with RQ's cron, and due at once when a worker starts leading it.
    workers = WorkerProcesses(environment | {"TASKFLOW_OVERDUE_SCAN_INTERVAL": "300"}, tmp_path)
    yield workers.start
    workers.kill_all()


def test_a_worker_killed_mid_fan_out_leaves_each_notification_created_exactly_once(
    start_server: Callable[..., LiveServer],
    start_worker: Callable[[], subprocess.Popen[bytes]],
) -> None:
    server = start_server(workers=1)
    account = server.register()
    api = server.api(account)
    due = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    tasks = set()
    for number in range(OVERDUE_TASKS):
        response = api.post("/tasks", {"title": f"late {number}", "dueDate": due})
        assert response.status == 201, response.body
        tasks.add(response.json()["id"])

    first = start_worker()
    deadline = time.monotonic() + 60
    while notification_count(api) == 0:
        assert time.monotonic() < deadline, "the worker created no notification"
        time.sleep(0.01)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(30)
    at_kill = notification_count(api)
    assert 0 < at_kill < OVERDUE_TASKS, f"not killed mid-way: {at_kill} notifications"

    started = time.monotonic()
    start_worker()
    deadline = started + TAKEOVER_TIMEOUT
    while (count := notification_count(api)) < OVERDUE_TASKS:
        assert time.monotonic() < deadline, f"{count} of {OVERDUE_TASKS} tasks notified"
        time.sleep(0.5)
    notified = notified_task_ids(api)
    assert set(notified) == tasks
    assert set(notified.values()) == {1}
    print(
        f"killed with {at_kill} of {OVERDUE_TASKS} notified; the new worker finished "
        f"in {time.monotonic() - started:.1f} s"
    )
