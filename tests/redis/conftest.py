"""Services mode against a real Redis: apps built like every API test's, plus Redis.

`settings_overrides` is overridden here so the shared `settings`, `runtime` and `client`
fixtures build services-mode apps; `other_client` is a second app instance (its own
Runtime, pool, Redis client and breaker) sharing the same database and Redis, as a second
server process would.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import redis
from fastapi.testclient import TestClient

from server.app import create_app
from taskflow_core.settings import Settings
from tests import services
from tests.servers import Unavailable
from tests.servers.redis_server import RedisServer

if TYPE_CHECKING:
    from collections.abc import Iterator

# Short enough that tests never wait long for the breaker to probe again.
BREAKER_COOLDOWN = 0.3


@pytest.fixture
def redis_url() -> str:
    """A spare database of the shared Redis, emptied, for this test alone."""
    return services.redis_url()


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


@pytest.fixture
def settings_overrides(request: pytest.FixtureRequest, redis_url: str) -> dict[str, Any]:
    """Services mode on this test's Redis; `indirect` parametrization adds to it."""
    overrides: dict[str, Any] = {
        "redis_url": redis_url,
        "redis_breaker_cooldown": BREAKER_COOLDOWN,
        "job_retry_backoff": 0,
    }
    return overrides | getattr(request, "param", {})


def second_instance(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def other_client(settings: Settings) -> Iterator[TestClient]:
    """A second app instance on the same database and Redis."""
    yield from second_instance(settings)


@pytest.fixture
def private_redis() -> Iterator[RedisServer]:
    """A redis-server of this test's own (running), to stop, restart and pause."""
    try:
        server = RedisServer()
    except Unavailable as missing:
        services.service_unavailable(services.REDIS, str(missing))
    server.start()
    try:
        yield server
    finally:
        server.stop()


def taskflow_command() -> str:
    """The installed `taskflow` console script of this environment."""
    command = shutil.which("taskflow", path=str(Path(sys.executable).parent))
    assert command is not None, "taskflow is not installed in this environment"
    return command


def worker_environment(settings: Settings) -> dict[str, str]:
    """The environment a `taskflow` subprocess needs to run with `settings`."""
    assert settings.jwt_secret is not None
    values = {
        "TASKFLOW_ENV": settings.env,
        "TASKFLOW_DATABASE_URL": settings.resolved_database_url,
        "TASKFLOW_REDIS_URL": settings.redis_url or "",
        "TASKFLOW_DATA_DIR": str(settings.resolved_data_dir),
        "TASKFLOW_JWT_SECRET": settings.jwt_secret.get_secret_value(),
        "TASKFLOW_OVERDUE_SCAN_INTERVAL": str(settings.overdue_scan_interval),
        "TASKFLOW_JOB_RETRIES": str(settings.job_retries),
        "TASKFLOW_JOB_RETRY_BACKOFF": str(settings.job_retry_backoff),
        "TASKFLOW_WEBHOOK_URL": settings.webhook_url or "",
        "TASKFLOW_LOG_LEVEL": "WARNING",
    }
    keep = {"PATH", "HOME", "LANG", "LC_ALL", "SYSTEMROOT"}
    return {key: value for key, value in os.environ.items() if key in keep} | values


class WorkerProcesses:
    """`taskflow worker` processes started with `environment` in `folder` (logging to its
    worker.log), each in a process group of its own, so that `kill_all` also kills RQ's
    scheduler and any job's child."""

    def __init__(self, environment: dict[str, str], folder: Path) -> None:
        self._environment = environment
        self._folder = folder
        self._started: list[subprocess.Popen[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        with (self._folder / "worker.log").open("ab") as log:
            worker = subprocess.Popen(
                [taskflow_command(), "worker"],
                env=self._environment,
                cwd=self._folder,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        self._started.append(worker)
        return worker

    def kill_all(self) -> None:
        for worker in self._started:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(30)


def worker_status(settings: Settings, folder: Path, *options: str) -> str:
    """What `taskflow worker --status` prints (it must succeed)."""
    shown = subprocess.run(
        [taskflow_command(), "worker", "--status", *options],
        env=worker_environment(settings),
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return shown.stdout
