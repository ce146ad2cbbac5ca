"""The markdown report: every run, the targets of issue 6, and the peers' figures."""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench.load import LoadResult

# Measured on a 2-core machine with PostgreSQL 15 on the same box, 10,000 tasks per user,
# wrk at 64 connections (login at 16), 10 s after a 3 s warm-up.
PEERS = [
    ("GET /tasks page 1", "274 req/s, p99 512 ms", "259 req/s, p99 527 ms"),
    ("GET /tasks at offset 9,000", "226 req/s", "229 req/s"),
    ("GET /tasks/{id}", "561 req/s", "602 req/s"),
    ("POST /tasks", "679 req/s", "330 req/s"),
    ("POST /auth/login", "24 req/s (bcrypt 10)", "9 req/s (argon2 defaults)"),
]


@dataclass
class Row:
    mode: str
    scenario: str
    connections: int
    result: LoadResult
    statements: float | None
    hit_ratio: float | None

    def as_line(self) -> str:
        r = self.result
        return (
            f"{self.mode:32} {self.scenario:8} c={self.connections:<3} {r.rps:8.0f} req/s "
            f"p50 {r.p50_ms:7.1f} ms p99 {r.p99_ms:7.1f} ms errors {r.errors}"
        )


@dataclass
class Check:
    target: str
    measured: str
    ok: bool


def render(
    rows: list[Row], clients: list[Check], rss: list[float], notes: list[str], *, quick: bool
) -> str:
    lines = [
        "# TaskFlow benchmark",
        "",
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}"
        + (" — QUICK RUN (short, not for comparison)" if quick else ""),
        "",
        "| mode | endpoint | conns | req/s | p50 ms | p99 ms | errors | SQL/req | cache hits |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        r = row.result
        sql = "" if row.statements is None else f"{row.statements:.2f}"
        hits = "" if row.hit_ratio is None else f"{row.hit_ratio:.0%}"
        lines.append(
            f"| {row.mode} | {row.scenario} | {row.connections} | {r.rps:,.0f} | "
            f"{r.p50_ms:.1f} | {r.p99_ms:.1f} | {r.errors} | {sql} | {hits} |"
        )
    checks = targets(rows, rss) + clients
    lines += ["", "## Targets", "", "| target | measured | met |", "|---|---|---|"]
    lines += [f"| {c.target} | {c.measured} | {'yes' if c.ok else 'NO'} |" for c in checks]
    lines += [
        "",
        "## Peers (same kind of machine, from issue 6)",
        "",
        "| endpoint | NestJS original | FastAPI template (2 workers) |",
        "|---|---|---|",
    ]
    lines += [f"| {name} | {nest} | {template} |" for name, nest, template in PEERS]
    if notes:
        lines += ["", "## Notes", ""] + [f"- {note}" for note in notes]
    return "\n".join(lines) + "\n"


def targets(rows: list[Row], rss: list[float]) -> list[Check]:
    def find(mode: str, scenario: str, connections: int) -> LoadResult | None:
        for row in rows:
            if row.mode == mode and row.scenario == scenario and row.connections == connections:
                return row.result
        return None

    checks: list[Check] = []
    page = find("services", "list", 64)
    if page:
        checks.append(
            Check(
                "GET /tasks page 1 at 64: >= 2,700 req/s, p99 <= 100 ms",
                f"{page.rps:,.0f} req/s, p99 {page.p99_ms:.0f} ms",
                page.rps >= 2700 and page.p99_ms <= 100,
            )
        )
    cursor = find("services", "cursor", 64)
    if page and cursor:
        ratio = page.rps / cursor.rps if cursor.rps else float("inf")
        checks.append(
            Check(
                "cursor page 9,000 deep within 1.2x of page 1",
                f"page 1 / cursor = {ratio:.2f}x",
                ratio <= 1.2,
            )
        )
    for scenario, label, minimum in (
        ("get", "GET /tasks/{id} at 64: >= 1,700 req/s", 1700),
        ("create", "POST /tasks at 64: >= 1,000 req/s", 1000),
    ):
        result = find("services", scenario, 64)
        if result:
            checks.append(Check(label, f"{result.rps:,.0f} req/s", result.rps >= minimum))
    login = find("services, login + list together", "login", 16)
    mixed = find("services, login + list together", "list", 16)
    alone = find("services", "list", 16)
    if login and mixed:
        kept = mixed.p99_ms <= max(100.0, 1.5 * (alone.p99_ms if alone else 0))
        checks.append(
            Check(
                "POST /auth/login at 16: >= 48 req/s, list keeps its p99",
                f"{login.rps:.0f} req/s; list p99 {mixed.p99_ms:.0f} ms with logins"
                + (f" vs {alone.p99_ms:.0f} ms alone" if alone else ""),
                login.rps >= 48 and kept,
            )
        )
    batch = find("services", "batch", 1)
    if batch:
        checks.append(
            Check(
                "batch-complete of 1,000 ids: p50 <= 50 ms",
                f"p50 {batch.p50_ms:.1f} ms",
                batch.p50_ms <= 50,
            )
        )
    for scenario in ("list", "create"):
        overload = find("overload, 1 worker", scenario, 256)
        if overload:
            checks.append(
                Check(
                    f"overload ({scenario}, 256 conns, 1 worker): all answered",
                    f"{overload.timeouts} timeouts, {overload.errors} errors/503s",
                    overload.timeouts == 0,
                )
            )
    if rss:
        checks.append(
            Check(
                "each server worker's RSS <= 150 MB after the bench",
                ", ".join(f"{value:.0f} MB" for value in rss),
                max(rss) <= 150,
            )
        )
    return checks
