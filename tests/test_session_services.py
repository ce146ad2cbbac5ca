"""`make test` on its own: the run starts PostgreSQL and Redis, or says what is missing.

Each test runs pytest in a subprocess on a small test file of its own, with only the plugin
that does this (tests/session_services.py) and the environment it is about.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.servers.postgres_server import postgres_bindir
from tests.servers.redis_server import redis_server_binary

REPOSITORY = Path(__file__).resolve().parent.parent

NEEDS_REDIS = """
from tests.services import redis_url

def test_needs_redis():
    redis_url()
"""

RECORDS_URLS = """
import os
from pathlib import Path

def record(name):
    urls = os.environ["TASKFLOW_TEST_DATABASE_URL"], os.environ["TASKFLOW_TEST_REDIS_URL"]
    Path(name).write_text(" ".join(urls))

def test_one():
    record("one")

def test_two():
    record("two")
"""


def run_pytest(
    directory: Path, test_file: str, *args: str, **environment: str
) -> subprocess.CompletedProcess[str]:
    (directory / "test_inner.py").write_text(test_file)
    (directory / "pytest.ini").write_text("[pytest]\n")
    keep = {"HOME", "LANG", "LC_ALL", "PATH"}
    env = {key: value for key, value in os.environ.items() if key in keep}
    # Only the plugins the run is about: the others' imports would only slow every worker.
    env |= {"PYTHONPATH": str(REPOSITORY), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"} | environment
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.session_services", "-p", "xdist",
         "-p", "no:cacheprovider", "-rs", *args, "test_inner.py"],
        cwd=directory,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )  # fmt: skip


def path_without_redis(directory: Path) -> str:
    """A PATH whose only program is a stand-in `apt-get` (so the install hint is apt's)."""
    bin_dir = directory / "bin"
    bin_dir.mkdir()
    (bin_dir / "apt-get").symlink_to("/bin/true")
    return str(bin_dir)


def accepts(url: str) -> bool:
    port = int(url.rsplit(":", 1)[1].split("/", maxsplit=1)[0])
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_a_run_without_redis_says_at_the_top_and_the_bottom_what_did_not_run_and_how_to_install_it(
    tmp_path: Path,
) -> None:
    result = run_pytest(
        tmp_path,
        NEEDS_REDIS,
        PATH=path_without_redis(tmp_path),
        TASKFLOW_TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:1/unused",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    head, _, tail = result.stdout.partition("collected 1 item")
    assert "!! Redis unavailable: not installed" in head
    assert "apt-get install redis-server" in head
    bottom = tail[tail.index("short test summary") :]
    assert "1 test did not run: a service they need is missing" in bottom
    assert "Redis: 1 test (1 in .)" in bottom
    assert "apt-get install redis-server" in bottom
    assert bottom.strip().splitlines()[-1].startswith("=")  # only pytest's last line after it
    assert "1 skipped" in bottom


def test_with_services_required_a_missing_one_fails_the_run(tmp_path: Path) -> None:
    result = run_pytest(
        tmp_path,
        NEEDS_REDIS,
        PATH=path_without_redis(tmp_path),
        TASKFLOW_TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:1/unused",
        TASKFLOW_TEST_REQUIRE_SERVICES="1",
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "will FAIL (TASKFLOW_TEST_REQUIRE_SERVICES=1)" in result.stdout
    assert "1 failed" in result.stdout


@pytest.mark.skipif(
    postgres_bindir() is None or redis_server_binary() is None,
    reason="needs PostgreSQL and Redis installed",
)
def test_a_parallel_run_starts_one_postgres_and_one_redis_for_all_its_workers_then_stops_them(
    tmp_path: Path,
) -> None:
    unset = {"TASKFLOW_TEST_DATABASE_URL": "", "TASKFLOW_TEST_REDIS_URL": ""}
    result = run_pytest(tmp_path, RECORDS_URLS, "-n", "2", **unset)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PostgreSQL: " in result.stdout
    assert ", started for this run" in result.stdout
    one, two = ((tmp_path / name).read_text() for name in ("one", "two"))
    assert one == two
    database_url, redis_url = one.split()
    assert database_url.startswith("postgresql+psycopg://postgres@127.0.0.1:")
    assert redis_url.startswith("redis://127.0.0.1:")
    assert not accepts(database_url)
    assert not accepts(redis_url)
