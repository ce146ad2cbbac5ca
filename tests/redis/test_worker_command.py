"""`taskflow worker` from the outside: it stays out of the client's way and says what it needs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from taskflow_core.settings import Settings
from tests.redis.conftest import taskflow_command, worker_environment, worker_status

pytestmark = pytest.mark.redis


def test_the_cli_does_not_load_redis_or_rq_until_the_worker_runs() -> None:
    probe = (
        "import sys, taskflow_cli.main; "
        "print(sorted(m for m in ('redis', 'rq', 'taskflow_core.worker') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_the_worker_refuses_to_start_without_redis(settings: Settings, tmp_path: Path) -> None:
    environment = worker_environment(settings) | {"TASKFLOW_REDIS_URL": ""}
    result = subprocess.run(
        [taskflow_command(), "worker"],
        check=False,
        env=environment,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "Error: the worker runs in services mode: set TASKFLOW_REDIS_URL"
    )


def test_the_status_of_an_idle_queue(settings: Settings, tmp_path: Path) -> None:
    shown = worker_status(settings, tmp_path, "--json")
    assert '"queued": 0' in shown
    assert '"failed": 0' in shown


def test_the_status_without_a_reachable_redis_is_one_line(
    settings: Settings, tmp_path: Path
) -> None:
    environment = worker_environment(settings) | {"TASKFLOW_REDIS_URL": "redis://127.0.0.1:1/0"}
    result = subprocess.run(
        [taskflow_command(), "worker", "--status"],
        check=False,
        env=environment,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 5
    assert result.stderr.startswith("Error: cannot reach Redis")
    assert len(result.stderr.strip().splitlines()) == 1
