"""`make bench`: each scenario on a baseline commit and on this checkout, in the same run.

Usage: python -m bench.run [--baseline REV|none] [--modes services,metrics,nocache,embedded]
                           [--scenarios list,mixed,...]
                           [--quick] [--skip-clients] [--scale | --skip-scale]

For each mode, each build gets a freshly seeded database (10 users x 1,000 tasks, migrated by
the build itself), a flushed Redis database and its own server, then wrk drives every scenario
of the mode at 64 connections (logins at 16) for 10 s after a 3 s warm-up. The report pairs
the builds scenario by scenario, as ratios, and writes bench/results/latest.md.

Then (`--scale` alone, or part of the full run) the cost of six requests as one user's tasks
grow from 1,000 to 100,000, on PostgreSQL and SQLite, on this checkout (bench/scale.py).

Needs PostgreSQL and Redis (TASKFLOW_BENCH_DATABASE_URL / TASKFLOW_BENCH_REDIS_URL, defaults
on 127.0.0.1) and wrk (Debian package `wrk`; installed if missing and possible).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from bench import builds, clients, report, scale
from bench.load import run_wrk
from bench.processes import Server, rss_mb, running_server
from bench.report import Row
from bench.seed import PASSWORD, SeededUser, recreate_postgres, seed

if TYPE_CHECKING:
    from collections.abc import Iterator

RESULTS = Path(__file__).with_name("results")
BASELINE = "3c069ce"


@dataclass(frozen=True)
class Mode:
    name: str
    scenarios: tuple[str, ...]
    workers: int
    cache: bool = True
    embedded: bool = False
    metrics: bool = False
    # Modes the baseline cannot run (it predates the feature measured) run on this checkout only.
    on_baseline: bool = True


MODES = {
    "services": Mode(
        "services",
        ("list", "mixed", "get", "stats", "create", "patch", "batch", "login"),
        workers=2,
    ),
    "nocache": Mode("services, cache off", ("list", "mixed"), workers=2, cache=False),
    "embedded": Mode("embedded (SQLite)", ("list", "mixed"), workers=1, embedded=True),
    # What metrics cost: the mixed workload again with them on, against the services row.
    "metrics": Mode(report.METRICS_MODE, ("mixed",), workers=2, metrics=True, on_baseline=False),
}
CONNECTIONS = {"login": 16}


def main() -> None:
    options = _parse_args()
    _ensure_wrk()
    workdir = options.workdir = Path(tempfile.mkdtemp(prefix="taskflow-bench-"))
    compared = [builds.this_checkout()]
    if options.baseline != "none" and not options.scale:
        compared.insert(0, builds.baseline(options.baseline))
    rows: list[Row] = []
    rss: list[float] = []
    for key in [] if options.scale else options.modes:
        # Builds take turns within a mode, so a drift in the machine's load hits both alike.
        for build in compared:
            if not MODES[key].on_baseline and build is not compared[-1]:
                continue
            with _served(build, MODES[key], options) as (server, data):
                rows += [
                    _measure(server, MODES[key], build, scenario, data=data, options=options)
                    for scenario in MODES[key].scenarios
                    if options.scenarios is None or scenario in options.scenarios
                ]
                if key == "services" and build is compared[-1]:
                    rss = [rss_mb(pid) for pid in server.worker_pids()]

    skip_clients = options.skip_clients or options.scale
    client_rows = [] if skip_clients else clients.measure(workdir, quick=options.quick)
    scale_rows = []
    if not options.skip_scale:
        scale_rows = scale.measure(compared[-1], options, _server_env)
    text = report.render(
        rows, client_rows, rss, [build.label for build in compared], quick=options.quick
    )
    text += "\n".join(scale.render(scale_rows)) + "\n"
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.md").write_text(text)
    print(text)
    shutil.rmtree(workdir, ignore_errors=True)


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--baseline", default=BASELINE, help="a commit, or `none`")
    parser.add_argument("--modes", default="services,metrics,nocache,embedded")
    parser.add_argument("--scenarios", help="only these (comma-separated), in every mode")
    parser.add_argument("--quick", action="store_true", help="short runs, for a smoke test")
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--tasks", type=int, default=1_000)
    parser.add_argument("--skip-clients", action="store_true")
    parser.add_argument(
        "--scale", action="store_true", help="only the table of costs against the task count"
    )
    parser.add_argument("--skip-scale", action="store_true")
    options = parser.parse_args()
    options.database_url = os.environ.get(
        "TASKFLOW_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/taskflow_bench"
    )
    options.redis_url = os.environ.get("TASKFLOW_BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
    options.modes = options.modes.split(",")
    if options.scenarios is not None:
        options.scenarios = options.scenarios.split(",")
    if unknown := set(options.modes) - set(MODES):
        parser.error(f"unknown modes: {', '.join(sorted(unknown))}")
    options.seconds, options.warmup = (3, 1) if options.quick else (10, 3)
    return options


@contextmanager
def _served(
    build: builds.Build, mode: Mode, options: argparse.Namespace
) -> Iterator[tuple[Server, Path]]:
    """The build's server on a freshly seeded database and an empty Redis database, with the
    data file scenarios.lua reads."""
    workdir, pg_url, redis_url = options.workdir, options.database_url, options.redis_url
    if mode.embedded:
        url = f"sqlite:///{workdir / f'{mode.name}-{build.label}.db'.replace(' ', '-')}"
    else:
        url = pg_url
        recreate_postgres(url)
    users = seed(url, users=options.users, tasks_per_user=options.tasks, migrate_with=build.upgrade)
    subprocess.run(["redis-cli", "-u", redis_url, "FLUSHDB"], check=True, capture_output=True)
    env = _server_env(
        workdir,
        database_url=url,
        redis_url=None if mode.embedded else redis_url,
        cache=mode.cache,
        metrics=mode.metrics,
    )
    log = workdir / f"{mode.name}-{build.label}.log".replace(" ", "-")
    with running_server(build.taskflow, env, workers=mode.workers, log=log) as server:
        yield server, _prepare_data(server, users, workdir / "scenario.data")


def _measure(
    server: Server,
    mode: Mode,
    build: builds.Build,
    scenario: str,
    *,
    data: Path,
    options: argparse.Namespace,
) -> Row:
    connections = CONNECTIONS.get(scenario, 64)
    for seconds in (options.warmup, options.seconds):
        result = run_wrk(
            server.url, scenario=scenario, data=data, connections=connections, seconds=seconds
        )
    row = Row(mode.name, scenario, connections, build.label, result)
    print(row.as_line(), file=sys.stderr, flush=True)
    return row


def _server_env(
    workdir: Path, *, database_url: str, redis_url: str | None, cache: bool, metrics: bool
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TASKFLOW_")}
    env |= {
        "TASKFLOW_ENV": "production",
        "TASKFLOW_JWT_SECRET": "bench-secret-" + "b" * 40,
        "TASKFLOW_DATA_DIR": str(workdir),
        "TASKFLOW_DATABASE_URL": database_url,
        "TASKFLOW_RATE_LIMIT": "0",
        "TASKFLOW_AUTH_RATE_LIMIT": "0",
        "TASKFLOW_ACCESS_TOKEN_TTL": "7200",
        "TASKFLOW_OVERDUE_SCAN_INTERVAL": "0",
        "TASKFLOW_LOG_LEVEL": "WARNING",
    }
    if redis_url:
        env["TASKFLOW_REDIS_URL"] = redis_url
    if not cache:
        env["TASKFLOW_CACHE_TTL"] = "0"
    if metrics:
        env["TASKFLOW_METRICS"] = "1"
    return env


def _prepare_data(server: Server, users: list[SeededUser], path: Path) -> Path:
    """A token, the email and 500 task ids per user, for scenarios.lua."""
    lines = []
    with httpx.Client(base_url=server.url, timeout=30) as client:
        for index, user in enumerate(users, start=1):
            login = client.post("/auth/login", json={"email": user.email, "password": PASSWORD})
            login.raise_for_status()
            lines += [f"token {index} {login.json()['accessToken']}", f"email {index} {user.email}"]
            lines += [f"task {index} {task_id}" for task_id in user.task_ids[:500]]
    path.write_text("\n".join(lines) + "\n")
    return path


def _ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    print("bench: installing wrk", file=sys.stderr)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)


if __name__ == "__main__":
    main()
