"""`taskflow worker --status` tells live workers from dead ones, and Redis restarts apart.

Real `taskflow worker` processes on a redis-server of each test's own (killed workers leave
their keys behind, and one test restarts Redis). The jobs are `time.sleep`: what a job does
does not matter here, only how long it keeps its worker busy.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from typing import TYPE_CHECKING

import pytest
import redis
from rq import Queue, Retry
from rq.job import Job, JobStatus

from taskflow_core.adapters.rq_queue import QUEUE_NAME
from taskflow_core.worker import (
    HEARTBEAT_SECONDS,
    WORKER_TTL,
    QueueStatus,
    queue_status,
    run_worker,
)
from tests.conftest import make_settings
from tests.redis.conftest import WorkerProcesses, worker_environment, worker_status
from tests.services import MigratedDatabase, migrated_database

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from taskflow_core.settings import Settings
    from tests.servers.redis_server import RedisServer

pytestmark = pytest.mark.redis

# The bounds the heartbeat promises, each with 5 s for a loaded two-core machine: a killed
# worker's key and its job's execution lapse WORKER_TTL after its last beat; a worker that a
# restarted Redis forgot beats (and registers again) within HEARTBEAT_SECONDS.
GONE_WITHIN = WORKER_TTL + 5.0
LISTED_AGAIN_WITHIN = HEARTBEAT_SECONDS + 5.0
# A worker process starting, or picking up a job, on a loaded machine.
STARTUP = 60.0
LONG_JOB = 600  # seconds: longer than any test, so only a kill ends it


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory) -> MigratedDatabase:
    """The worker refuses an unmigrated database; which backend does not matter here."""
    return migrated_database("sqlite", tmp_path_factory.mktemp("liveness"))


@pytest.fixture
def settings(schema: MigratedDatabase, private_redis: RedisServer, tmp_path: Path) -> Settings:
    return make_settings(
        schema.fresh_url(), redis_url=private_redis.url, data_dir=tmp_path, job_retries=0
    )


@pytest.fixture
def connection(private_redis: RedisServer) -> Iterator[redis.Redis]:
    client = private_redis.client()
    yield client
    client.close()


@pytest.fixture
def queue(connection: redis.Redis) -> Queue:
    return Queue(QUEUE_NAME, connection=connection)


@pytest.fixture
def start_worker(
    settings: Settings, tmp_path: Path
) -> Iterator[Callable[[], subprocess.Popen[bytes]]]:
    """Start `taskflow worker` processes; all are killed after the test."""
    workers = WorkerProcesses(
        worker_environment(settings) | {"TASKFLOW_LOG_LEVEL": "INFO"}, tmp_path
    )
    yield workers.start
    workers.kill_all()


def wait_for(condition: Callable[[], bool], *, within: float, what: str, tmp_path: Path) -> float:
    """Poll `condition` until it holds (the seconds it took), failing after `within`."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > within:
            log = tmp_path / "worker.log"
            shown = log.read_text(errors="replace")[-3000:] if log.exists() else ""
            pytest.fail(f"{what}: not within {within:.0f} s\nworker log:\n{shown}")
        time.sleep(0.2)
    return time.monotonic() - started


def status_is(connection: redis.Redis, **expected: int) -> Callable[[], bool]:
    def check() -> bool:
        status = queue_status(connection)
        return all(getattr(status, name) == value for name, value in expected.items())

    return check


def enqueue_sleep(queue: Queue, seconds: float, *, retries: int = 0) -> Job:
    return queue.enqueue(
        "time.sleep",
        seconds,
        job_timeout=LONG_JOB * 2,
        retry=Retry(max=retries) if retries else None,
    )


def test_killed_workers_and_their_jobs_leave_the_status_within_the_worker_ttl(
    connection: redis.Redis,
    queue: Queue,
    settings: Settings,
    start_worker: Callable[[], subprocess.Popen[bytes]],
    tmp_path: Path,
) -> None:
    workers = [start_worker(), start_worker()]
    last_try = enqueue_sleep(queue, LONG_JOB)
    retried = enqueue_sleep(queue, LONG_JOB, retries=1)
    wait_for(
        status_is(connection, workers=2, started=2, queued=0),
        within=STARTUP,
        what="both workers busy",
        tmp_path=tmp_path,
    )

    for worker in workers:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(30)
    gone = wait_for(
        status_is(connection, workers=0, started=0),
        within=GONE_WITHIN,
        what="the killed workers and their jobs gone from the status",
        tmp_path=tmp_path,
    )
    print(f"killed workers and their jobs left the status {gone:.1f} s after the kill")

    status = queue_status(connection)
    assert (status.queued, status.failed) == (1, 1)
    assert retried.get_status(refresh=True) == JobStatus.QUEUED
    assert last_try.get_status(refresh=True) == JobStatus.FAILED
    [failure] = status.recent_failures
    assert failure.id == last_try.id
    assert "AbandonedJobError" in failure.error
    shown = worker_status(settings, tmp_path)
    assert "1 queued, 0 running" in shown
    assert "workers: 0" in shown


def test_a_worker_busy_for_longer_than_its_ttl_stays_listed_and_its_job_running(
    connection: redis.Redis,
    queue: Queue,
    start_worker: Callable[[], subprocess.Popen[bytes]],
    tmp_path: Path,
) -> None:
    start_worker()
    job = enqueue_sleep(queue, WORKER_TTL * 2)
    wait_for(
        status_is(connection, workers=1, started=1),
        within=STARTUP,
        what="the worker busy",
        tmp_path=tmp_path,
    )
    while job.get_status(refresh=True) == JobStatus.STARTED:
        status = queue_status(connection)
        if job.get_status(refresh=True) != JobStatus.STARTED:
            break  # finished between the two reads
        assert (status.workers, status.started, status.failed) == (1, 1, 0)
        time.sleep(0.5)
    assert job.get_status(refresh=True) == JobStatus.FINISHED
    assert queue_status(connection).workers == 1


@pytest.mark.parametrize("busy", [False, True], ids=["idle", "busy"])
def test_a_worker_is_listed_again_soon_after_redis_restarts_empty(
    busy: bool,
    connection: redis.Redis,
    queue: Queue,
    private_redis: RedisServer,
    start_worker: Callable[[], subprocess.Popen[bytes]],
    tmp_path: Path,
) -> None:
    start_worker()
    expected = {"workers": 1, "started": 1} if busy else {"workers": 1}
    if busy:
        enqueue_sleep(queue, WORKER_TTL * 2)
    wait_for(
        status_is(connection, **expected),
        within=STARTUP,
        what="the worker listed",
        tmp_path=tmp_path,
    )

    private_redis.stop()
    private_redis.start()
    assert connection.dbsize() == 0
    listed = wait_for(
        status_is(connection, workers=1),
        within=LISTED_AGAIN_WITHIN,
        what="the worker listed again",
        tmp_path=tmp_path,
    )
    print(f"{'busy' if busy else 'idle'} worker listed again {listed:.1f} s after the restart")

    # And it still works: a job queued now is run (after the one it was busy with).
    job = enqueue_sleep(queue, 0)
    wait_for(
        lambda: job.get_status(refresh=True) == JobStatus.FINISHED,
        within=STARTUP + WORKER_TTL * 2,
        what="a job queued after the restart finished",
        tmp_path=tmp_path,
    )
    assert queue_status(connection).workers == 1


def test_a_worker_that_returns_stops_its_heartbeat_and_is_unlisted(
    settings: Settings, connection: redis.Redis
) -> None:
    assert run_worker(settings, burst=True) is False
    beating = [thread for thread in threading.enumerate() if "heartbeat" in thread.name]
    assert beating == []
    status: QueueStatus = queue_status(connection)
    assert status.workers == 0
