"""What six requests cost as one user's tasks grow (issue 22): 1,000, 10,000, 100,000 tasks.

For each database (PostgreSQL in services mode, SQLite in embedded mode) and each size, a
fresh database is seeded in bulk with one user's tasks (`bench.seed`: COPY on PostgreSQL), a
server with one worker and the cache off serves it, and wrk sends each request from one
connection, one at a time (1 s warm-up, 4 s measured, best of two rounds). The table gives
requests per second at each size and the cost at 100,000 against 1,000 (the ratio of the
two rates).
"""

from __future__ import annotations

import sys
from contextlib import ExitStack
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx
from sqlalchemy import make_url

from bench.load import run_wrk
from bench.processes import running_server
from bench.seed import PASSWORD, recreate_postgres, seed

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable
    from pathlib import Path

    from bench.builds import Build
    from bench.load import LoadResult

SIZES = (1_000, 10_000, 100_000)
REQUESTS = (
    "/tasks?page=1&limit=20",
    "/tasks?page=50&limit=20",
    "/tasks?search=report",
    "/tasks/stats",
    "/tasks?status=PENDING,IN_PROGRESS&sort=dueDate&order=asc",
    "/tasks?overdue=true",
)
# Issue 22: no request may cost more than this at 100,000 tasks than at 1,000.
MAX_GROWTH = 1.5
ROUNDS = 2


@dataclass
class ScaleRow:
    database: str
    path: str
    results: dict[int, LoadResult]

    @property
    def growth(self) -> float | None:
        """Cost at the largest size against the smallest (time per request)."""
        small, large = self.results.get(SIZES[0]), self.results.get(SIZES[-1])
        if small is None or large is None or not large.rps:
            return None
        return small.rps / large.rps


def measure(
    build: Build,
    options: argparse.Namespace,
    server_env: Callable[..., dict[str, str]],
) -> list[ScaleRow]:
    """Every request at every size on both databases, this checkout only.

    The three sizes are seeded and served side by side, and each request is measured at the
    three sizes one after the other, ROUNDS times: the best of the rounds is kept, so that a
    burst of other work on the machine does not land on one size only.
    """
    rows: list[ScaleRow] = []
    seconds, warmup = (2, 1) if options.quick else (4, 1)
    for database in ("PostgreSQL", "SQLite"):
        by_path = {path: ScaleRow(database, path, {}) for path in REQUESTS}
        with ExitStack() as servers:
            served = {}
            for size in SIZES:
                url = _fresh_database(database, size, options)
                seed(url, users=1, tasks_per_user=size, migrate_with=build.upgrade)
                env = server_env(
                    options.workdir,
                    database_url=url,
                    redis_url=options.redis_url if database == "PostgreSQL" else None,
                    cache=False,
                    metrics=False,
                )
                log = options.workdir / f"scale-{database}-{size}.log"
                server = servers.enter_context(
                    running_server(build.taskflow, env, workers=1, log=log)
                )
                data = _login(server.url, options.workdir / f"scale-{size}.data")
                served[size] = (server.url, data)
            for _ in range(1 if options.quick else ROUNDS):
                for path in REQUESTS:
                    for size, (url, data) in served.items():
                        for duration in (warmup, seconds):
                            result = run_wrk(
                                url,
                                scenario="path",
                                data=data,
                                connections=1,
                                seconds=duration,
                                path=path,
                            )
                        kept = by_path[path].results.get(size)
                        if kept is None or result.rps > kept.rps:
                            by_path[path].results[size] = result
                        print(
                            f"scale {database:10} {size:>7} {path:60} {result.rps:7.0f} req/s "
                            f"p50 {result.p50_ms:6.1f} ms errors {result.errors}",
                            file=sys.stderr,
                            flush=True,
                        )
        rows += by_path.values()
    return rows


def render(rows: list[ScaleRow]) -> list[str]:
    """The scale table, in markdown."""
    if not rows:
        return []
    sizes = " | ".join(f"{size:,}" for size in SIZES)
    lines = [
        "",
        "## Cost against the number of tasks (one user, one client, cache off)",
        "",
        f"| database | request | {sizes} | cost at {SIZES[-1]:,} vs {SIZES[0]:,} |",
        "|---|---|" + "---:|" * (len(SIZES) + 1),
    ]
    for row in rows:
        rates = " | ".join(
            f"{row.results[size].rps:,.0f}" if size in row.results else "" for size in SIZES
        )
        growth = f"{row.growth:.2f}x" if row.growth is not None else ""
        lines.append(f"| {row.database} | `GET {row.path}` | {rates} | {growth} |")
    worst = max((row for row in rows if row.growth is not None), key=lambda r: r.growth or 0)
    met = (worst.growth or 0) <= MAX_GROWTH
    lines += [
        "",
        f"Largest growth: {worst.database} `GET {worst.path}` {worst.growth:.2f}x "
        f"(target <= {MAX_GROWTH}x: {'met' if met else 'NOT met'}).",
    ]
    return lines


def _fresh_database(database: str, size: int, options: argparse.Namespace) -> str:
    if database == "PostgreSQL":
        parsed = make_url(options.database_url)
        url = parsed.set(database=f"{parsed.database}_{size}").render_as_string(hide_password=False)
        recreate_postgres(url)
        return url
    path = options.workdir / f"scale-{size}.db"
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    return f"sqlite:///{path}"


def _login(url: str, path: Path) -> Path:
    """The data file scenarios.lua reads: the one user's token."""
    with httpx.Client(base_url=url, timeout=30) as client:
        login = client.post(
            "/auth/login", json={"email": "bench0@example.com", "password": PASSWORD}
        )
        login.raise_for_status()
    path.write_text(f"token 1 {login.json()['accessToken']}\n")
    return path
