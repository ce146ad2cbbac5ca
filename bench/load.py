"""Drive wrk with scenarios.lua and read the server's bench counters."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import httpx

SCRIPT = Path(__file__).with_name("scenarios.lua")


@dataclass
class LoadResult:
    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    timeouts: int

    @classmethod
    def from_wrk(cls, summary: dict[str, int]) -> LoadResult:
        seconds = summary["duration_us"] / 1e6
        socket_errors = summary["connect"] + summary["read"] + summary["write"]
        return cls(
            requests=summary["requests"],
            rps=summary["requests"] / seconds if seconds else 0.0,
            p50_ms=summary["p50_us"] / 1000,
            p99_ms=summary["p99_us"] / 1000,
            errors=summary["status"] + socket_errors,
            timeouts=summary["timeout"],
        )


def run_wrk(
    url: str, *, scenario: str, data: Path, connections: int, seconds: float, timeout: float = 10.0
) -> LoadResult:
    threads = 1 if connections == 1 else 2
    env = os.environ | {"BENCH_SCENARIO": scenario, "BENCH_DATA": str(data)}
    done = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            f"--timeout={round(timeout)}s",
            "-s",
            str(SCRIPT),
            url,
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    )
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    return LoadResult.from_wrk(summary)


@dataclass
class Counters:
    requests: int = 0
    statements: int = 0
    cache_hits: int = 0
    cache_misses: int = 0

    @property
    def statements_per_request(self) -> float:
        return self.statements / self.requests if self.requests else 0.0

    @property
    def hit_ratio(self) -> float | None:
        looked_up = self.cache_hits + self.cache_misses
        return self.cache_hits / looked_up if looked_up else None


# The kernel spreads new connections over the workers; a kept-alive one always reaches the
# same worker, and the others would never be read or reset.
_NEW_CONNECTION_EACH_TIME = {"Connection": "close"}


def read_counters(url: str, workers: int) -> Counters:
    """Sum the per-process counters, polling until every worker has answered."""
    seen: dict[int, dict[str, int]] = {}
    with httpx.Client(base_url=url, timeout=5, headers=_NEW_CONNECTION_EACH_TIME) as client:
        for _ in range(200):
            body = client.get("/_bench/counters").json()
            seen[body["pid"]] = body
            if len(seen) >= workers:
                break
    return Counters(
        requests=sum(b["requests"] for b in seen.values()),
        statements=sum(b["statements"] for b in seen.values()),
        cache_hits=sum(b["cacheHits"] for b in seen.values()),
        cache_misses=sum(b["cacheMisses"] for b in seen.values()),
    )


def reset_counters(url: str, workers: int) -> None:
    reset: set[int] = set()
    with httpx.Client(base_url=url, timeout=5, headers=_NEW_CONNECTION_EACH_TIME) as client:
        for _ in range(200):
            reset.add(client.post("/_bench/reset").json()["pid"])
            if len(reset) >= workers:
                return
