"""The daily CLI commands against a local server with ~1,000 tasks: median wall times.

Seeds an embedded (SQLite) server of its own, logs in, then runs each command RUNS times,
round-robin (a drift in the machine's load hits every command alike), beside the venv's
bare `python -c pass` and, when Taskwarrior is installed, `task list` on a fresh database
of the same size. The first round warms the file cache and is dropped. Target (issue 19):
each command's median <= 120 ms.

Usage: python -m bench.cli_commands [--runs 20] [--tasks 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from bench.processes import TASKFLOW, client_env, compile_bytecode, running_server
from bench.report import Check

if TYPE_CHECKING:
    from collections.abc import Callable

TARGET_MS = 120.0
EMAIL, PASSWORD = "user@example.com", "user123"


def seed(url: str, tasks: int) -> None:
    """`tasks` tasks for the demo user, a third undated, in requests of 1,000."""
    login = httpx.post(f"{url}/auth/login", json={"email": EMAIL, "password": PASSWORD})
    headers = {"Authorization": f"Bearer {login.json()['accessToken']}"}
    rows = [
        {
            "title": f"Task {n}",
            "priority": ("LOW", "MEDIUM", "HIGH")[n % 3],
            **(
                {}
                if n % 3 == 0
                else {"dueDate": f"2027-{n % 12 + 1:02d}-{n % 28 + 1:02d}T09:00:00Z"}
            ),
        }
        for n in range(tasks)
    ]
    for start in range(0, tasks, 1000):
        response = httpx.post(
            f"{url}/tasks/bulk", json={"tasks": rows[start : start + 1000]}, headers=headers,
            timeout=60,
        )  # fmt: skip
        response.raise_for_status()


def medians(
    commands: dict[str, Callable[[], list[str]]], env: dict[str, str], runs: int
) -> dict[str, float]:
    """Median wall seconds of each command (a callable: `tasks done N` needs a new N)."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for round_ in range(runs + 1):
        for name, make in commands.items():
            argv = make()
            started = time.perf_counter()
            completed = subprocess.run(argv, env=env, capture_output=True, check=False)
            elapsed = time.perf_counter() - started
            if completed.returncode != 0:
                raise RuntimeError(f"{' '.join(argv)}: {completed.stderr.decode()}")
            if round_:
                times[name].append(elapsed)
    return {name: statistics.median(samples) for name, samples in times.items()}


def taskwarrior(workdir: Path, tasks: int) -> Callable[[], list[str]] | None:
    """`task list` on a database of `tasks` tasks of its own, or None without Taskwarrior."""
    task = shutil.which("task")
    if task is None:
        return None
    data = workdir / "taskwarrior"
    data.mkdir()
    rc = workdir / "taskrc"
    rc.write_text(f"data.location={data}\nconfirmation=off\nverbose=nothing\n")
    lines = "".join(
        json.dumps({"description": f"Task {n}", "status": "pending", "entry": "20260101T000000Z",
                    "uuid": f"00000000-0000-4000-8000-{n:012d}"}) + "\n"
        for n in range(tasks)
    )  # fmt: skip
    subprocess.run(
        [task, f"rc:{rc}", "import", "-"], input=lines.encode(), check=True, capture_output=True
    )
    return lambda: [task, f"rc:{rc}", "list"]


def measure(workdir: Path, *, runs: int = 20, tasks: int = 1000) -> dict[str, float]:
    """Median milliseconds of the four commands, `python -c pass` and (if any) `task list`."""
    env = client_env(workdir) | {"NO_COLOR": "1"}
    compile_bytecode()
    subprocess.run([TASKFLOW, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([TASKFLOW, "db", "seed"], env=env, check=True, capture_output=True)
    with running_server(Path(TASKFLOW), env, workers=1, log=workdir / "cli-commands.log") as server:
        env["TASKFLOW_SERVER"] = server.url
        seed(server.url, tasks)
        subprocess.run(
            [TASKFLOW, "login", "--email", EMAIL, "--password-stdin"],
            input=f"{PASSWORD}\n".encode(), env=env, check=True, capture_output=True,
        )  # fmt: skip
        numbers = iter(range(1, tasks + 1))
        commands: dict[str, Callable[[], list[str]]] = {
            "python -c pass": lambda: [sys.executable, "-c", "pass"],
            "tasks list": lambda: [TASKFLOW, "tasks", "list"],
            'tasks add "x"': lambda: [TASKFLOW, "tasks", "add", "x"],
            'tasks add "x" --due tomorrow': lambda: [
                TASKFLOW,
                "tasks",
                "add",
                "x",
                "--due",
                "tomorrow",
            ],
            "tasks done N": lambda: [TASKFLOW, "tasks", "done", str(next(numbers))],
        }
        warrior = taskwarrior(workdir, tasks)
        if warrior is not None:
            commands["Taskwarrior: task list"] = warrior
        result = medians(commands, env, runs)
    return {name: seconds * 1000 for name, seconds in result.items()}


def checks(found: dict[str, float]) -> list[Check]:
    """One check per TaskFlow command: its median against the 120 ms target."""
    baseline = f"python -c pass {found['python -c pass']:.0f} ms"
    warrior = found.get("Taskwarrior: task list")
    if warrior is not None:
        baseline += f", task list {warrior:.0f} ms"
    return [
        Check(f"`taskflow {name}` median <= {TARGET_MS:.0f} ms", f"{ms:.0f} ms ({baseline})",
              ms <= TARGET_MS)
        for name, ms in found.items()
        if name.startswith("tasks ")
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--tasks", type=int, default=1000)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="taskflow-cli-bench-") as folder:
        found = measure(Path(folder), runs=options.runs, tasks=options.tasks)
    setting = f"{options.runs} runs, {options.tasks} tasks, {os.cpu_count()} cores"
    print(f"{'command':34} median ({setting})")
    for name, ms in found.items():
        flag = "" if not name.startswith("tasks ") else ("  ok" if ms <= TARGET_MS else "  OVER")
        print(f"{name:34} {ms:7.1f} ms{flag}")


if __name__ == "__main__":
    main()
