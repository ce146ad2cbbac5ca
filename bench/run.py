"""`make bench`: seed, serve, load with wrk, and write bench/results/latest.md.

Usage: python -m bench.run [--quick] [--modes services,nocache,embedded] [--skip-clients]

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
import threading
import time
from pathlib import Path

import httpx

from bench import clients, report
from bench.load import LoadResult, read_counters, reset_counters, run_wrk
from bench.processes import Server, rss_mb, running_server
from bench.report import Row
from bench.seed import PASSWORD, SeededUser, recreate_postgres, seed

RESULTS = Path(__file__).with_name("results")
READS = ["list", "offset", "cursor", "filter", "get", "stats"]
WRITES = ["patch", "create", "batch"]
CURSOR_DEPTH = 9000


def main() -> None:
    options = _parse_args()
    _ensure_wrk()
    workdir = Path(tempfile.mkdtemp(prefix="taskflow-bench-"))
    pg_url = os.environ.get(
        "TASKFLOW_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/taskflow_bench"
    )
    redis_url = os.environ.get("TASKFLOW_BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
    rows: list[Row] = []
    notes: list[str] = []
    rss: list[float] = []

    started = time.monotonic()
    recreate_postgres(pg_url)
    users = seed(pg_url, users=options.users, tasks_per_user=options.tasks)
    notes.append(
        f"Seeded {options.users} users x {options.tasks} tasks into PostgreSQL in "
        f"{time.monotonic() - started:.1f} s."
    )
    subprocess.run(["redis-cli", "-u", redis_url, "FLUSHDB"], check=False, capture_output=True)
    services_env = _server_env(workdir, database_url=pg_url, redis_url=redis_url)

    if "services" in options.modes:
        with running_server(services_env, workers=2, log=workdir / "services.log") as server:
            data = _prepare_data(server, users, workdir / "services.data")
            rows += _run_scenarios(
                server, "services", scenarios=READS + WRITES + ["login"], data=data, options=options
            )
            rows += _login_under_load(server, data, options)
            rss = [rss_mb(pid) for pid in server.worker_pids()]
    if "nocache" in options.modes:
        env = services_env | {"TASKFLOW_CACHE_TTL": "0"}
        with running_server(env, workers=2, log=workdir / "nocache.log") as server:
            data = _prepare_data(server, users, workdir / "nocache.data")
            rows += _run_scenarios(
                server,
                "services, no cache",
                scenarios=READS,
                data=data,
                options=options,
                levels=[64],
            )
    if "embedded" in options.modes:
        sqlite_url = f"sqlite:///{workdir / 'embedded.db'}"
        embedded_users = seed(sqlite_url, users=options.users, tasks_per_user=options.tasks)
        env = _server_env(workdir, database_url=sqlite_url, redis_url=None)
        with running_server(env, workers=1, log=workdir / "embedded.log") as server:
            data = _prepare_data(server, embedded_users, workdir / "embedded.data")
            rows += _run_scenarios(
                server,
                "embedded (SQLite)",
                scenarios=READS + WRITES,
                data=data,
                options=options,
                levels=[64],
            )
    if "overload" in options.modes:
        with running_server(services_env, workers=1, log=workdir / "overload.log") as server:
            data = _prepare_data(server, users, workdir / "overload.data")
            rows += _overload(server, data, options, notes)

    client_rows = [] if options.skip_clients else clients.measure(workdir, quick=options.quick)
    text = report.render(rows, client_rows, rss, notes, quick=options.quick)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.md").write_text(text)
    print(text)
    shutil.rmtree(workdir, ignore_errors=True)


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short runs, for a smoke test")
    parser.add_argument("--modes", default="services,nocache,embedded,overload")
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--skip-clients", action="store_true")
    options = parser.parse_args()
    options.modes = set(options.modes.split(","))
    options.seconds, options.warmup = (3, 1) if options.quick else (10, 3)
    options.levels = [1, 64] if options.quick else [1, 16, 64]
    return options


def _server_env(workdir: Path, *, database_url: str, redis_url: str | None) -> dict[str, str]:
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
        "TASKFLOW_BENCH_PROBE": "1",
    }
    if redis_url:
        env["TASKFLOW_REDIS_URL"] = redis_url
    return env


def _prepare_data(server: Server, users: list[SeededUser], path: Path) -> Path:
    """Tokens, a cursor 9,000 rows deep, task ids and a 1,000-id batch body per user."""
    lines = []
    with httpx.Client(base_url=server.url, timeout=30) as client:
        for index, user in enumerate(users, start=1):
            token = client.post("/auth/login", json={"email": user.email, "password": PASSWORD})
            access = token.json()["accessToken"]
            headers = {"Authorization": f"Bearer {access}"}
            lines += [f"token {index} {access}", f"email {index} {user.email}"]
            lines.append(f"cursor {index} {_cursor_at(client, headers, CURSOR_DEPTH)}")
            lines += [f"task {index} {task_id}" for task_id in user.task_ids[:500]]
            ids = ",".join(f'"{task_id}"' for task_id in user.task_ids[-1000:])
            lines.append(f'batch {index} {{"action":"complete","tasks":[{ids}]}}')
    path.write_text("\n".join(lines) + "\n")
    return path


def _cursor_at(client: httpx.Client, headers: dict[str, str], depth: int) -> str:
    params: dict[str, str | int] = {"limit": 100}
    for _ in range(depth // 100):
        meta = client.get("/tasks", params=params, headers=headers).json()["meta"]
        params = {"limit": 100, "cursor": meta["nextCursor"]}
    return str(params["cursor"])


def _run_scenarios(
    server: Server,
    mode: str,
    *,
    scenarios: list[str],
    data: Path,
    options: argparse.Namespace,
    levels: list[int] | None = None,
) -> list[Row]:
    rows = []
    for scenario in scenarios:
        for connections in levels or options.levels:
            run_wrk(
                server.url,
                scenario=scenario,
                data=data,
                connections=connections,
                seconds=options.warmup,
            )
            reset_counters(server.url, server.workers)
            result = run_wrk(
                server.url,
                scenario=scenario,
                data=data,
                connections=connections,
                seconds=options.seconds,
            )
            counters = read_counters(server.url, server.workers)
            row = Row(
                mode,
                scenario,
                connections,
                result,
                counters.statements_per_request,
                counters.hit_ratio,
            )
            print(row.as_line(), file=sys.stderr, flush=True)
            rows.append(row)
    return rows


def _login_under_load(server: Server, data: Path, options: argparse.Namespace) -> list[Row]:
    """Logins at 16 connections while list requests run at 16: does list keep its p99?

    Like every other scenario it is measured after a warm-up of the same load, which here
    also lets the server finish the logins still queued from the 64-connection login run.
    """
    results: dict[str, LoadResult] = {}

    def load(scenario: str, seconds: float) -> None:
        results[scenario] = run_wrk(
            server.url, scenario=scenario, data=data, connections=16, seconds=seconds
        )

    for seconds in (options.warmup, options.seconds):
        threads = [threading.Thread(target=load, args=(s, seconds)) for s in ("login", "list")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return [
        Row("services, login + list together", s, 16, r, None, None) for s, r in results.items()
    ]


def _overload(
    server: Server, data: Path, options: argparse.Namespace, notes: list[str]
) -> list[Row]:
    """One worker, 256 connections: every request answered, then healthy at once."""
    rows = []
    seconds = 10 if options.quick else 30
    for scenario in ("list", "create"):
        result = run_wrk(
            server.url, scenario=scenario, data=data, connections=256, seconds=seconds, timeout=10
        )
        rows.append(Row("overload, 1 worker", scenario, 256, result, None, None))
        started = time.monotonic()
        ready = httpx.get(f"{server.url}/health/ready", timeout=10)
        notes.append(
            f"After overload on {scenario}: /health/ready {ready.status_code} in "
            f"{(time.monotonic() - started) * 1000:.0f} ms; {result.timeouts} timeouts."
        )
    return rows


def _ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    print("bench: installing wrk", file=sys.stderr)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)


if __name__ == "__main__":
    main()
