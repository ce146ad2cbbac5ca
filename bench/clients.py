"""Client-side start-up: the CLI against a bare Typer app, the TUI against a bare Textual app."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from typing import TYPE_CHECKING

from bench.processes import TASKFLOW, running_server
from bench.report import Check

if TYPE_CHECKING:
    from pathlib import Path

BARE_TYPER = '''
import typer
app = typer.Typer()
@app.command()
def hello(name: str = "world") -> None:
    """Say hello."""
    print(f"hello {name}")
@app.command()
def other() -> None:
    """A second command, so Typer builds a group like taskflow's."""
app()
'''


def median_seconds(command: list[str], env: dict[str, str], runs: int) -> float:
    times = []
    for _ in range(runs + 1):  # the first run warms the file cache and is dropped
        started = time.perf_counter()
        subprocess.run(command, env=env, capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times[1:])


def measure(workdir: Path, *, quick: bool) -> list[Check]:
    """Median wall times of `taskflow --help` and `taskflow tasks list` against bare Typer."""
    runs = 5 if quick else 15
    bare = workdir / "bare_typer.py"
    bare.write_text(BARE_TYPER)
    env = _client_env(workdir)
    subprocess.run([TASKFLOW, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([TASKFLOW, "db", "seed"], env=env, check=True, capture_output=True)
    checks = []
    with running_server(env, workers=1, log=workdir / "clients.log") as server:
        env["TASKFLOW_SERVER"] = server.url
        subprocess.run(
            [TASKFLOW, "login", "--email", "user@example.com", "--password-stdin"],
            input=b"user123\n",
            env=env,
            check=True,
            capture_output=True,
        )
        for n in range(20):
            subprocess.run(
                [TASKFLOW, "tasks", "add", f"task {n}"], env=env, check=True, capture_output=True
            )
        bare_help = median_seconds([sys.executable, str(bare), "--help"], env, runs)
        bare_run = median_seconds([sys.executable, str(bare), "hello"], env, runs)
        cli_help = median_seconds([TASKFLOW, "--help"], env, runs)
        cli_list = median_seconds([TASKFLOW, "tasks", "list"], env, runs)
    checks.append(
        Check(
            "`taskflow --help` <= 1.3x bare Typer `--help`",
            f"{cli_help * 1000:.0f} ms vs {bare_help * 1000:.0f} ms ({cli_help / bare_help:.2f}x)",
            cli_help <= 1.3 * bare_help,
        )
    )
    checks.append(
        Check(
            "`taskflow tasks list` (20 tasks) <= 1.5x a bare Typer command",
            f"{cli_list * 1000:.0f} ms vs {bare_run * 1000:.0f} ms ({cli_list / bare_run:.2f}x)",
            cli_list <= 1.5 * bare_run,
        )
    )
    return checks


def _client_env(workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TASKFLOW_")}
    return env | {
        "TASKFLOW_DATA_DIR": str(workdir / "clients"),
        "TASKFLOW_RATE_LIMIT": "0",
        "TASKFLOW_AUTH_RATE_LIMIT": "0",
        "TASKFLOW_OVERDUE_SCAN_INTERVAL": "0",
        "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring",
        "XDG_DATA_HOME": str(workdir / "xdg-data"),
        "XDG_CONFIG_HOME": str(workdir / "xdg-config"),
        "NO_COLOR": "1",
    }
