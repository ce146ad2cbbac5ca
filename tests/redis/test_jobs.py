"""Jobs on RQ: the cron-registered scan, its fan-out, retries, the failed registry, webhooks.

Workers run in burst mode: in this process through `run_worker`, or as real `taskflow worker
--burst` processes when two must run at once.
"""

from __future__ import annotations

import asyncio
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import redis
from fastapi.testclient import TestClient
from rq import Queue
from rq.cron import CronScheduler
from rq.job import Job, JobStatus
from rq.registry import FailedJobRegistry, FinishedJobRegistry

from taskflow_core.adapters.job_queue import InlineJobQueue
from taskflow_core.adapters.rq_queue import QUEUE_NAME, RQJobQueue, retry_policy
from taskflow_core.cron import OverdueScanCron
from taskflow_core.operations.jobs import scan_overdue
from taskflow_core.runtime import Runtime, open_runtime
from taskflow_core.settings import Settings
from taskflow_core.worker import queue_status, run_worker
from tests.conftest import make_settings, make_task
from tests.redis.conftest import taskflow_command, worker_environment, worker_status
from tests.redis.webhook_receiver import WebhookReceiver

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = pytest.mark.redis


def past(days: int = 1) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat()


def inbox(client: TestClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = client.get("/notifications?limit=100", headers=headers)
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


def with_scan(settings: Settings, **changes: Any) -> Settings:
    """The test's settings with the overdue scan registered (every 300 s) and `changes`."""
    return settings.model_copy(update={"overdue_scan_interval": 300} | changes)


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    server = WebhookReceiver()
    server.start()
    yield server
    server.stop()


def test_services_mode_queues_jobs_on_rq(runtime: Runtime) -> None:
    assert isinstance(runtime.jobs, RQJobQueue)


def test_the_scan_is_registered_with_rq_cron_and_one_worker_leads_it(
    redis_client: redis.Redis,
) -> None:
    leader, follower = (OverdueScanCron(redis_client, interval=300) for _ in range(2))
    queue = Queue(QUEUE_NAME, connection=redis_client)
    try:
        assert leader.scan.interval == 300
        assert leader.scan.func_name == "taskflow_core.job_runner.run_job"
        assert leader.scan.args == ("taskflow_core.operations.jobs.scan_overdue",)
        leader.tick()
        follower.tick()
        assert (leader.leading, follower.leading) == (True, False)
        assert queue.count == 1
        [alive] = CronScheduler.all(redis_client)
        assert alive.name == leader.scheduler.name
        leader.tick()
        assert queue.count == 1  # not due again for another 300 s
    finally:
        leader.stop()
    follower.tick()
    try:
        assert follower.leading
        assert queue.count == 2
    finally:
        follower.stop()


def test_a_burst_worker_runs_the_scan_and_notifies_each_overdue_task_once(
    client: TestClient, runtime: Runtime, headers: dict[str, str]
) -> None:
    late = {make_task(client, headers, title=f"late {n}", dueDate=past())["id"] for n in range(3)}
    make_task(client, headers, title="done", dueDate=past(), status="COMPLETED")
    make_task(
        client, headers, title="later", dueDate=(datetime.now(UTC) + timedelta(days=1)).isoformat()
    )
    settings = with_scan(runtime.settings)
    assert run_worker(settings, burst=True)
    assert {item["taskId"] for item in inbox(client, headers)} == late
    assert run_worker(settings, burst=True)  # the next scan finds nothing new
    assert len(inbox(client, headers)) == 3


def test_two_workers_running_the_scan_at_once_create_each_notification_once(
    client: TestClient,
    runtime: Runtime,
    headers: dict[str, str],
    redis_client: redis.Redis,
    tmp_path: Path,
) -> None:
    tasks = [make_task(client, headers, title=f"late {n}", dueDate=past()) for n in range(20)]
    cron = OverdueScanCron(redis_client, interval=300)
    cron.enqueue_due()
    OverdueScanCron(redis_client, interval=300).enqueue_due()
    # The two scans wait at the head of the queue; two worker processes take them together.
    environment = worker_environment(runtime.settings.model_copy(update={"job_retries": 0}))
    workers = [
        subprocess.Popen(
            [taskflow_command(), "worker", "--burst"],
            env=environment,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    for worker in workers:
        _, errors = worker.communicate(timeout=60)
        assert worker.returncode == 0, errors.decode()
    assert sorted(item["taskId"] for item in inbox(client, headers)) == sorted(
        task["id"] for task in tasks
    )
    finished = FinishedJobRegistry(queue=Queue(QUEUE_NAME, connection=redis_client))
    jobs = Job.fetch_many(finished.get_job_ids(), connection=redis_client)
    notified = [
        job.return_value()
        for job in jobs
        if job is not None and (job.description or "").startswith("notify_overdue(")
    ]
    # Both scans fanned out; the unique constraint let exactly one job per task create it.
    assert len(notified) > len(tasks)
    assert notified.count(True) == len(tasks)


def test_a_failing_job_is_retried_then_kept_in_the_failed_registry(
    client: TestClient,
    runtime: Runtime,
    headers: dict[str, str],
    redis_client: redis.Redis,
    receiver: WebhookReceiver,
    tmp_path: Path,
) -> None:
    receiver.status = 500
    make_task(client, headers, dueDate=past())
    settings = with_scan(
        runtime.settings, webhook_url=receiver.url, job_retries=2, job_retry_backoff=0
    )
    run_worker(settings, burst=True)
    assert len(receiver.deliveries) == 3  # the first attempt and two retries
    assert len(inbox(client, headers)) == 1  # the stored row does not depend on the webhook
    [job_id] = FailedJobRegistry(queue=Queue(QUEUE_NAME, connection=redis_client)).get_job_ids()
    job = Job.fetch(job_id, connection=redis_client)
    assert (job.description or "").startswith("deliver_webhook(")
    assert job.retries_left == 0
    result = job.latest_result()
    assert result is not None
    assert "HTTP Error 500" in (result.exc_string or "")

    status = queue_status(redis_client)
    assert (status.queued, status.failed) == (0, 1)
    assert status.recent_failures[0].id == job_id
    assert "HTTP Error 500" in status.recent_failures[0].error
    shown = worker_status(settings, tmp_path)
    assert "0 queued" in shown
    assert "1 failed" in shown
    assert job_id in shown


def test_retries_back_off_exponentially(
    client: TestClient,
    runtime: Runtime,
    headers: dict[str, str],
    redis_client: redis.Redis,
    receiver: WebhookReceiver,
) -> None:
    defaults = make_settings("sqlite://")
    policy = retry_policy(defaults)
    assert policy is not None
    assert (policy.max, policy.intervals) == (3, [10, 20, 40])

    receiver.status = 503
    make_task(client, headers, dueDate=past())
    settings = with_scan(
        runtime.settings, webhook_url=receiver.url, job_retries=3, job_retry_backoff=60
    )
    run_worker(settings, burst=True)
    assert len(receiver.deliveries) == 1
    scheduled = Queue(QUEUE_NAME, connection=redis_client).scheduled_job_registry
    [job_id] = scheduled.get_job_ids()
    job = Job.fetch(job_id, connection=redis_client)
    assert job.get_status() == JobStatus.SCHEDULED
    assert job.retries_left == 2
    wait = scheduled.get_scheduled_time(job_id) - datetime.now(UTC)
    assert timedelta(seconds=55) < wait <= timedelta(seconds=60)


def test_the_webhook_receives_each_new_notification_with_its_id(
    client: TestClient, runtime: Runtime, headers: dict[str, str], receiver: WebhookReceiver
) -> None:
    task = make_task(client, headers, title="Tell the world", dueDate=past())
    run_worker(with_scan(runtime.settings, webhook_url=receiver.url), burst=True)
    [delivery] = receiver.deliveries
    [notification] = inbox(client, headers)
    assert delivery.body == notification
    assert delivery.body["taskId"] == task["id"]
    assert delivery.body["type"] == "task.overdue"
    assert delivery.headers["x-taskflow-notification-id"] == notification["id"]
    assert delivery.headers["content-type"] == "application/json"


def test_embedded_mode_retries_a_failed_webhook_on_timers(
    client: TestClient,
    runtime: Runtime,
    headers: dict[str, str],
    receiver: WebhookReceiver,
    tmp_path: Path,
) -> None:
    receiver.status = 500
    make_task(client, headers, dueDate=past())
    settings = make_settings(
        runtime.settings.resolved_database_url,
        data_dir=tmp_path,
        webhook_url=receiver.url,
        job_retries=2,
        job_retry_backoff=0,
    )

    async def scan_and_wait_for_the_retries() -> None:
        async with open_runtime(settings) as embedded:
            assert isinstance(embedded.jobs, InlineJobQueue)
            assert await scan_overdue(embedded) == 1
            deadline = time.monotonic() + 10
            while len(receiver.deliveries) < 3 and time.monotonic() < deadline:
                await asyncio.sleep(0.02)

    asyncio.run(scan_and_wait_for_the_retries())
    assert len(receiver.deliveries) == 3
    assert len(inbox(client, headers)) == 1
