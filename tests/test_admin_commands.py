"""`taskflow db …` and `taskflow server` as an operator runs them, in subprocesses."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from taskflow_core.adapters import migrate

TASKFLOW = str(Path(sys.executable).with_name("taskflow"))


def run(
    args: list[str], env: dict[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [TASKFLOW, *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TASKFLOW_")}
    return clean | {
        "TASKFLOW_DATA_DIR": str(tmp_path),
        "TASKFLOW_PASSWORD_HASH_MEMORY_KIB": "64",
        "TASKFLOW_PASSWORD_HASH_TIME_COST": "1",
        "NO_COLOR": "1",
    }


def test_upgrade_then_seed_twice_is_idempotent(env: dict[str, str], tmp_path: Path) -> None:
    upgraded = run(["db", "upgrade"], env)
    assert upgraded.returncode == 0, upgraded.stderr
    assert f"revision {migrate.head_revision()}" in upgraded.stdout
    assert (tmp_path / "taskflow.db").exists()
    first = run(["db", "seed"], env)
    assert first.returncode == 0
    assert "admin@example.com" in first.stdout
    second = run(["db", "seed"], env)
    assert second.returncode == 0
    assert "already exist" in second.stdout


def test_seed_refuses_production_without_demo(env: dict[str, str]) -> None:
    env |= {"TASKFLOW_ENV": "production", "TASKFLOW_JWT_SECRET": "s" * 40}
    run(["db", "upgrade"], env)
    refused = run(["db", "seed"], env)
    assert refused.returncode == 2
    assert "--demo" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert run(["db", "seed", "--demo"], env).returncode == 0


def test_create_admin_from_a_script(env: dict[str, str]) -> None:
    run(["db", "upgrade"], env)
    created = run(
        ["db", "create-admin", "--email", "Boss@Example.com", "--password-stdin"],
        env,
        stdin="long enough password\n",
    )
    assert created.returncode == 0, created.stderr
    assert "boss@example.com" in created.stdout
    again = run(
        ["db", "create-admin", "--email", "boss@example.com", "--password-stdin"],
        env,
        stdin="long enough password\n",
    )
    assert again.returncode == 1
    assert again.stderr.strip() == "Error: Email already registered"


def test_create_admin_refuses_a_short_password(env: dict[str, str]) -> None:
    run(["db", "upgrade"], env)
    result = run(
        ["db", "create-admin", "--email", "a@example.com", "--password-stdin"], env, stdin="short\n"
    )
    assert result.returncode == 2
    assert "password" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_server_refuses_an_unmigrated_database(env: dict[str, str]) -> None:
    result = run(["server", "--port", "1"], env)
    assert result.returncode == 1
    assert "taskflow db upgrade" in result.stderr


def test_production_without_a_secret_refuses_to_start(env: dict[str, str]) -> None:
    result = run(["server"], env | {"TASKFLOW_ENV": "production"})
    assert result.returncode == 2
    assert "TASKFLOW_JWT_SECRET" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unreachable_database_is_one_clear_line(env: dict[str, str]) -> None:
    env["TASKFLOW_DATABASE_URL"] = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    env["TASKFLOW_DB_TIMEOUT"] = "1"
    result = run(["db", "upgrade"], env)
    assert result.returncode == 5
    assert result.stderr.strip() == "Error: cannot reach the database (is it running?)"
