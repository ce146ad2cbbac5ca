"""The markdown report: each scenario on the baseline and on this checkout, as ratios, and the
targets they are held to."""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench.load import LoadResult

# Issue 17's bar for the one-path core, against the commit before it.
MIXED_RATIO = 3.0
MIXED_P99_MS = 150.0
UNCACHED_LIST_RATIO = 3.0
FLOOR_RATIO = 0.9
METRICS_MODE = "services, metrics on"
# Issue 21: what metrics may cost the mixed workload.
METRICS_COST = 0.03
WORKER_RSS_MB = 150.0


@dataclass
class Row:
    mode: str
    scenario: str
    connections: int
    build: str
    result: LoadResult

    def as_line(self) -> str:
        r = self.result
        return (
            f"{self.mode:22} {self.scenario:7} c={self.connections:<3} {self.build:20} "
            f"{r.rps:8.0f} req/s p50 {r.p50_ms:7.1f} ms p99 {r.p99_ms:7.1f} ms "
            f"errors {r.errors} timeouts {r.timeouts}"
        )


@dataclass
class Pair:
    mode: str
    scenario: str
    connections: int
    baseline: LoadResult | None
    current: LoadResult

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or not self.baseline.rps:
            return None
        return self.current.rps / self.baseline.rps


@dataclass
class Check:
    target: str
    measured: str
    ok: bool


def pairs(rows: list[Row], builds: list[str]) -> list[Pair]:
    """One pair per mode and scenario: the last build is this checkout, the first (if there
    are two) the baseline."""
    current, baseline = builds[-1], builds[0] if len(builds) > 1 else None
    found = {(r.mode, r.scenario, r.build): r for r in rows}
    paired = []
    for row in rows:
        if row.build != current:
            continue
        before = found.get((row.mode, row.scenario, baseline)) if baseline else None
        earlier = before.result if before else None
        paired.append(Pair(row.mode, row.scenario, row.connections, earlier, row.result))
    return paired


def render(
    rows: list[Row], clients: list[Check], rss: list[float], builds: list[str], *, quick: bool
) -> str:
    paired = pairs(rows, builds)
    baseline = builds[0] if len(builds) > 1 else "no baseline"
    lines = [
        "# TaskFlow benchmark",
        "",
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}; {baseline} against this checkout"
        + (" — QUICK RUN (short, not for comparison)" if quick else ""),
        "",
        "| mode | scenario | conns | baseline req/s | p99 ms | this req/s | p99 ms | ratio "
        "| errors (baseline / this) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for pair in paired:
        before, now = pair.baseline, pair.current
        lines.append(
            f"| {pair.mode} | {pair.scenario} | {pair.connections} | "
            + (f"{before.rps:,.0f} | {before.p99_ms:.1f} | " if before else "| | ")
            + f"{now.rps:,.0f} | {now.p99_ms:.1f} | "
            + (f"{pair.ratio:.2f}x" if pair.ratio is not None else "")
            + f" | {_errors(before) if before else '-'} / {_errors(now)} |"
        )
    checks = targets(paired, rss) + clients
    lines += ["", "## Targets", "", "| target | measured | met |", "|---|---|---|"]
    lines += [f"| {c.target} | {c.measured} | {'yes' if c.ok else 'NO'} |" for c in checks]
    return "\n".join(lines) + "\n"


def targets(paired: list[Pair], rss: list[float]) -> list[Check]:
    def find(mode: str, scenario: str) -> Pair | None:
        return next((p for p in paired if (p.mode, p.scenario) == (mode, scenario)), None)

    checks: list[Check] = []
    mixed = find("services", "mixed")
    if mixed and mixed.ratio is not None:
        checks.append(
            Check(
                f"mixed workload (cache on) >= {MIXED_RATIO:.0f}x the baseline, "
                f"p99 <= {MIXED_P99_MS:.0f} ms",
                f"{mixed.ratio:.2f}x, p99 {mixed.current.p99_ms:.0f} ms",
                mixed.ratio >= MIXED_RATIO and mixed.current.p99_ms <= MIXED_P99_MS,
            )
        )
    uncached = find("services, cache off", "list")
    if uncached and uncached.ratio is not None:
        checks.append(
            Check(
                f"list page 1, cache off >= {UNCACHED_LIST_RATIO:.0f}x the baseline",
                f"{uncached.ratio:.2f}x",
                uncached.ratio >= UNCACHED_LIST_RATIO,
            )
        )
    compared = [p for p in paired if p.ratio is not None]
    if compared:
        slowest = min(compared, key=lambda p: p.ratio or 0.0)
        checks.append(
            Check(
                f"no scenario below {FLOOR_RATIO}x the baseline",
                f"lowest: {slowest.mode} {slowest.scenario} {slowest.ratio:.2f}x",
                (slowest.ratio or 0.0) >= FLOOR_RATIO,
            )
        )
    with_metrics = find(METRICS_MODE, "mixed")
    if mixed and with_metrics:
        cost = 1 - with_metrics.current.rps / mixed.current.rps
        checks.append(
            Check(
                f"metrics on cost the mixed workload under {METRICS_COST:.0%}",
                f"{mixed.current.rps:,.0f} -> {with_metrics.current.rps:,.0f} req/s ({cost:+.1%})",
                cost < METRICS_COST,
            )
        )
    failed = [p for p in paired if _errors(p.current)]
    checks.append(
        Check(
            "no errors or timeouts on this checkout",
            ", ".join(f"{p.mode} {p.scenario}: {_errors(p.current)}" for p in failed) or "none",
            not failed,
        )
    )
    if rss:
        checks.append(
            Check(
                f"each server worker's RSS <= {WORKER_RSS_MB:.0f} MB after the services scenarios",
                ", ".join(f"{value:.0f} MB" for value in rss),
                max(rss) <= WORKER_RSS_MB,
            )
        )
    return checks


def _errors(result: LoadResult) -> int:
    return result.errors + result.timeouts
