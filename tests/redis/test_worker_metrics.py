"""`taskflow worker` with metrics on: the jobs it ran, by job and outcome, on its own port."""

from __future__ import annotations

import time
import urllib.request
from typing import TYPE_CHECKING

import pytest
from prometheus_client.parser import text_string_to_metric_families
from rq import Queue

from taskflow_core.adapters.rq_queue import QUEUE_NAME, TRAMPOLINE
from tests.conftest import make_settings
from tests.redis.conftest import WorkerProcesses, worker_environment
from tests.servers import free_port
from tests.services import migrated_database

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from tests.servers.redis_server import RedisServer

pytestmark = pytest.mark.redis

# Jobs run within seconds; this allows for a loaded machine.
WITHIN = 30.0


@pytest.fixture
def worker(private_redis: RedisServer, tmp_path: Path) -> Iterator[str]:
    """A running `taskflow worker` with metrics on; yields its metrics URL."""
    schema = migrated_database("sqlite", tmp_path / "schema")
    settings = make_settings(
        schema.fresh_url(), redis_url=private_redis.url, data_dir=tmp_path, job_retries=0
    )
    port = free_port()
    environment = worker_environment(settings) | {
        "TASKFLOW_METRICS": "1",
        "TASKFLOW_WORKER_METRICS_PORT": str(port),
    }
    workers = WorkerProcesses(environment, tmp_path)
    workers.start()
    try:
        yield f"http://127.0.0.1:{port}/metrics"
    finally:
        workers.kill_all()


def jobs_run(url: str) -> dict[tuple[str, str], float]:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            text = answer.read().decode()
    except OSError:
        return {}  # not listening yet
    return {
        (sample.labels["job"], sample.labels["outcome"]): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "taskflow_worker_jobs_total"
    }


def test_the_worker_counts_its_jobs_by_name_and_outcome(
    worker: str, private_redis: RedisServer
) -> None:
    queue = Queue(QUEUE_NAME, connection=private_redis.client())
    for _ in range(2):
        queue.enqueue("time.sleep", 0)
    queue.enqueue("time.sleep", "not a number")
    queue.enqueue(TRAMPOLINE, "taskflow_core.operations.jobs.scan_overdue")
    expected = {
        ("sleep", "succeeded"): 2.0,
        ("sleep", "failed"): 1.0,
        ("scan_overdue", "succeeded"): 1.0,
    }
    deadline = time.monotonic() + WITHIN
    while (seen := jobs_run(worker)) != expected:
        assert time.monotonic() < deadline, f"jobs counted: {seen}"
        time.sleep(0.2)
