"""Client-side start-up: the CLI against a bare Typer app, the TUI against a bare Textual app."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from typing import TYPE_CHECKING

from bench import tui_first_paint
from bench.processes import TASKFLOW, client_env, compile_bytecode, running_server
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


def median_seconds(
    commands: dict[str, list[str]], env: dict[str, str], runs: int
) -> dict[str, float]:
    """Median wall time of each command, run round-robin so drifting load hits all alike."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for round_ in range(runs + 1):  # the first round warms the file cache and is dropped
        for name, command in commands.items():
            started = time.perf_counter()
            subprocess.run(command, env=env, capture_output=True, check=True)
            if round_:
                times[name].append(time.perf_counter() - started)
    return {name: statistics.median(samples) for name, samples in times.items()}


def measure(workdir: Path, *, quick: bool) -> list[Check]:
    """`taskflow --help` and `taskflow tasks list` against bare Typer, and the TUI's first
    paint against a bare Textual app: median wall times."""
    runs = 5 if quick else 21
    bare = workdir / "bare_typer.py"
    bare.write_text(BARE_TYPER)
    env = client_env(workdir) | {"NO_COLOR": "1"}
    compile_bytecode()
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
        medians = median_seconds(
            {
                "bare_help": [sys.executable, str(bare), "--help"],
                "bare_run": [sys.executable, str(bare), "hello"],
                "cli_help": [TASKFLOW, "--help"],
                "cli_list": [TASKFLOW, "tasks", "list"],
            },
            env,
            runs,
        )
        bare_help, bare_run = medians["bare_help"], medians["bare_run"]
        cli_help, cli_list = medians["cli_help"], medians["cli_list"]
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
    (workdir / "tui").mkdir(exist_ok=True)
    first_paint = tui_first_paint.measure(workdir / "tui", runs=5 if quick else 9)
    checks.append(tui_first_paint.check(first_paint))
    return checks
