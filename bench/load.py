"""Drive wrk with scenarios.lua."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

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
    url: str,
    *,
    scenario: str,
    data: Path,
    connections: int,
    seconds: float,
    timeout: float = 10.0,
    path: str = "",
) -> LoadResult:
    """wrk's figures for `scenario` (`path`: a GET of that path and query, for every
    request)."""
    threads = 1 if connections == 1 else 2
    env = os.environ | {"BENCH_SCENARIO": scenario, "BENCH_DATA": str(data), "BENCH_PATH": path}
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
