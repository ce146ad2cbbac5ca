"""A throwaway PostgreSQL and Redis for a run that was not pointed at running ones.

For each of `TASKFLOW_TEST_DATABASE_URL` and `TASKFLOW_TEST_REDIS_URL` that is unset, the run
starts a server of its own from the installed binaries and sets the variable, before any test
runs: in pytest-xdist's controller, before its workers start, so they inherit the URLs and
share the two servers. The servers stop when the run ends. What could not be started is said
at the top and at the bottom of the output, with the command that installs it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import psycopg
import pytest

from tests.servers import NotInstalled, Unavailable, install_command
from tests.servers.postgres_server import PostgresServer
from tests.servers.redis_server import RedisServer
from tests.services import (
    POSTGRES,
    REDIS,
    REQUIRED,
    Service,
    require_services,
    unavailable_reason,
)

if TYPE_CHECKING:
    from collections.abc import Generator

    from _pytest.reports import TestReport
    from _pytest.runner import CallInfo
    from _pytest.terminal import TerminalReporter

TEST_DATABASE = "taskflow_test"
# Nothing in a throwaway cluster needs to survive a crash of the machine.
FAST_POSTGRES = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}
MARKERS = {POSTGRES: "postgres", REDIS: "redis"}
# A test report's user property naming the service for want of which it did not run.
UNAVAILABLE = "service unavailable"


@dataclass
class Unstarted:
    reason: str
    installable: bool


@dataclass
class SessionServices:
    """What this run started, found configured, or could not start."""

    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="taskflow-test-")))
    notes: list[str] = field(default_factory=list)
    unstarted: dict[Service, Unstarted] = field(default_factory=dict)
    postgres: PostgresServer | None = None
    redis: RedisServer | None = None
    keep_logs: bool = False

    def start(self, service: Service) -> None:
        os.environ.pop(service.unavailable_variable, None)
        if os.environ.get(service.variable):
            self.notes.append(
                f"{service.name}: {os.environ[service.variable]} ({service.variable})"
            )
            return
        try:
            url, description = (
                self._start_postgres() if service is POSTGRES else self._start_redis()
            )
        except Unavailable as missing:
            self._record(service, Unstarted(str(missing), isinstance(missing, NotInstalled)))
        except (OSError, RuntimeError, subprocess.SubprocessError, psycopg.Error) as error:
            self.keep_logs = True
            logs = f"logs in {self.workdir}"
            self._record(service, Unstarted(f"could not start: {error} ({logs})", False))
        else:
            os.environ[service.variable] = url
            self.notes.append(f"{service.name}: {description}, started for this run")

    def _record(self, service: Service, unstarted: Unstarted) -> None:
        self.unstarted[service] = unstarted
        os.environ[service.unavailable_variable] = unstarted.reason

    def _start_postgres(self) -> tuple[str, str]:
        self.postgres = PostgresServer(self.workdir, settings=FAST_POSTGRES)
        self.postgres.start()
        url = self.postgres.create_database(TEST_DATABASE)
        return url, f"{self.postgres.version} on 127.0.0.1:{self.postgres.port}"

    def _start_redis(self) -> tuple[str, str]:
        self.redis = RedisServer(self.workdir)
        self.redis.start()
        return self.redis.url, f"{self.redis.version} on 127.0.0.1:{self.redis.port}"

    def stop(self) -> None:
        if self.postgres is not None:
            self.postgres.remove()
        if self.redis is not None:
            self.redis.stop()
        if not self.keep_logs:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def install_hint(self) -> str | None:
        packages = [service.package for service, why in self.unstarted.items() if why.installable]
        return install_command(*packages) if packages else None

    def warning_lines(self) -> list[str]:
        """Which tests will not run, why, and what installs what they need."""
        outcome = "FAIL (TASKFLOW_TEST_REQUIRE_SERVICES=1)" if require_services() else "be SKIPPED"
        lines = [
            f"!! {unavailable_reason(service, why.reason)}: the tests that need it "
            f"(marked {MARKERS[service]}) will {outcome}"
            for service, why in self.unstarted.items()
        ]
        hint = self.install_hint()
        if hint:
            lines.append(f"!! to run them, install what they need: {hint}")
        return lines


KEY = pytest.StashKey[SessionServices]()


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):
        return  # a pytest-xdist worker: the controller started them; the URLs are inherited
    if config.option.help or config.option.collectonly:
        return  # no test will run
    session_services = SessionServices()
    config.stash[KEY] = session_services
    for service in (POSTGRES, REDIS):
        session_services.start(service)


def pytest_unconfigure(config: pytest.Config) -> None:
    session_services = config.stash.get(KEY, None)
    if session_services is not None:
        session_services.stop()


def pytest_report_header(config: pytest.Config) -> list[str]:
    session_services = config.stash.get(KEY, None)
    if session_services is None:
        return []
    return session_services.notes + session_services.warning_lines()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_terminal_summary(
    terminalreporter: TerminalReporter, config: pytest.Config
) -> Generator[None]:
    """After pytest's own summary, just above its last line: the tests that did not run."""
    yield
    counts = {service: _unrun(terminalreporter, service) for service in (POSTGRES, REDIS)}
    if not any(counts.values()):
        return
    total = sum(sum(by_folder.values()) for by_folder in counts.values())
    terminalreporter.write_sep(
        "!", f"{_tests(total)} did not run: a service they need is missing", red=True
    )
    for service, by_folder in counts.items():
        if by_folder:
            folders = ", ".join(
                f"{count} in {folder}" for folder, count in sorted(by_folder.items())
            )
            terminalreporter.write_line(
                f"{service.name}: {_tests(by_folder.total())} ({folders})", red=True
            )
    session_services = config.stash.get(KEY, None)
    for line in session_services.warning_lines() if session_services else []:
        terminalreporter.write_line(line, red=True)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: CallInfo[None]
) -> Generator[None, TestReport, TestReport]:
    """Tag the report of a test that did not run for want of a service (pytest-xdist carries
    the tag from its workers to the summary)."""
    report = yield
    message = str(getattr(call.excinfo.value, "msg", "")) if call.excinfo else ""
    for service in (POSTGRES, REDIS):
        if message.removeprefix(REQUIRED).startswith(unavailable_reason(service, "")):
            report.user_properties.append((UNAVAILABLE, service.name))
    return report


def _unrun(terminalreporter: TerminalReporter, service: Service) -> Counter[str]:
    """Tests that did not run for want of `service`, by folder."""
    reports: list[TestReport] = [
        *terminalreporter.stats.get("skipped", []),
        *terminalreporter.stats.get("failed", []),
    ]
    return Counter(
        str(PurePosixPath(report.nodeid.split("::")[0]).parent)
        for report in reports
        if (UNAVAILABLE, service.name) in report.user_properties
    )


def _tests(count: int) -> str:
    return f"{count} test" if count == 1 else f"{count} tests"
