"""Time from `taskflow tui` to the first painted task table, against a bare Textual app.

Both programs run on a pseudo-terminal (120x40) exactly as a person starts them; the clock
stops when the terminal receives the text of the first row (`#1000`, the newest of the 1,000
tasks the server holds; the bare app paints a 50-row DataTable with the same first cell).

Usage: python -m bench.tui_first_paint [--runs 7] [--tasks 1000]
"""

from __future__ import annotations

import argparse
import fcntl
import os
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.processes import TASKFLOW, client_env, compile_bytecode, running_server
from bench.report import Check

ROWS, COLUMNS = 40, 120
TIMEOUT = 30.0
EMAIL = "tui-bench@example.com"
PASSWORD = "tui-bench-password"
WORDS = ("report", "invoice", "call", "plan", "review", "deploy", "fix", "write", "buy", "email")

BARE_TEXTUAL = """
from textual.app import App
from textual.widgets import DataTable


class Bare(App):
    def compose(self):
        yield DataTable()

    def on_mount(self):
        table = self.query_one(DataTable)
        table.add_columns("#", "Title", "Status", "Priority", "Due")
        table.add_rows(
            (f"#{n}", f"task {n}", "pending", "medium", "in 2 days")
            for n in range({newest}, {newest} - 50, -1)
        )


Bare().run()
"""


@dataclass(frozen=True)
class FirstPaint:
    tui: float
    bare: float
    tui_runs: list[float]
    bare_runs: list[float]

    @property
    def ratio(self) -> float:
        return self.tui / self.bare


def time_to_text(command: list[str], env: dict[str, str], marker: bytes) -> float:
    """Seconds from spawning `command` on a pseudo-terminal until `marker` is written."""
    leader, follower = os.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=env | {"TERM": "xterm-256color", "COLUMNS": str(COLUMNS), "LINES": str(ROWS)},
        start_new_session=True,
    )
    os.close(follower)
    seen = b""
    elapsed = None
    try:
        while elapsed is None and time.perf_counter() - started < TIMEOUT:
            ready, _, _ = select.select([leader], [], [], 0.05)
            if ready:
                try:
                    seen += os.read(leader, 65536)
                except OSError:
                    break
                if marker in seen:
                    elapsed = time.perf_counter() - started
            elif process.poll() is not None:
                break
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        os.close(leader)
    if elapsed is None:
        tail = seen[-2000:].decode(errors="replace")
        raise RuntimeError(f"{command[0]} never painted {marker!r}; it wrote: {tail}")
    return elapsed


def median_time(command: list[str], env: dict[str, str], marker: bytes, runs: int) -> list[float]:
    """`runs` timings after one warm-up run (which fills the file cache and is dropped)."""
    time_to_text(command, env, marker)
    return [time_to_text(command, env, marker) for _ in range(runs)]


def seed_over_api(url: str, tasks: int) -> None:
    """One account with `tasks` tasks (varied status, priority and due dates), via the API."""
    with httpx.Client(base_url=url, timeout=30) as client:
        account = {"email": EMAIL, "name": "TUI bench", "password": PASSWORD}
        token = client.post("/auth/register", json=account).raise_for_status().json()
        client.headers["Authorization"] = f"Bearer {token['accessToken']}"
        for number in range(1, tasks + 1):
            task = {
                "title": f"{WORDS[number % 10]} {WORDS[number * 7 % 10]} {number}",
                "status": ("PENDING", "PENDING", "IN_PROGRESS", "COMPLETED")[number % 4],
                "priority": ("LOW", "MEDIUM", "HIGH")[number % 3],
            }
            if number % 3:
                task["dueDate"] = f"2026-{1 + number % 12:02d}-{1 + number % 28:02d}T17:00:00Z"
            client.post("/tasks", json=task).raise_for_status()


def measure(workdir: Path, *, runs: int = 7, tasks: int = 1000) -> FirstPaint:
    """Serve `tasks` tasks of one account, log in as it, then time both programs."""
    env = client_env(workdir) | {"TASKFLOW_TUI_REFRESH": "0"}
    compile_bytecode()
    subprocess.run([TASKFLOW, "db", "upgrade"], env=env, check=True, capture_output=True)
    bare = workdir / "bare_textual.py"
    bare.write_text(BARE_TEXTUAL.replace("{newest}", str(tasks)))
    marker = f"#{tasks}".encode()
    with running_server(Path(TASKFLOW), env, workers=1, log=workdir / "tui-server.log") as server:
        seed_over_api(server.url, tasks)
        env["TASKFLOW_SERVER"] = server.url
        subprocess.run(
            [TASKFLOW, "login", "--email", EMAIL, "--password-stdin"],
            input=f"{PASSWORD}\n".encode(),
            env=env,
            check=True,
            capture_output=True,
        )
        tui_runs = median_time([TASKFLOW, "tui"], env, marker, runs)
        bare_runs = median_time([sys.executable, str(bare)], env, marker, runs)
    return FirstPaint(
        tui=statistics.median(tui_runs),
        bare=statistics.median(bare_runs),
        tui_runs=tui_runs,
        bare_runs=bare_runs,
    )


def check(result: FirstPaint, *, tasks: int = 1000) -> Check:
    """The benchmark's target: the TUI paints its table within twice the bare app's time."""
    return Check(
        target=f"`taskflow tui` first table paint ({tasks} tasks) <= 2x a bare Textual DataTable",
        measured=f"{result.tui * 1000:.0f} ms vs {result.bare * 1000:.0f} ms ({result.ratio:.2f}x)",
        ok=result.ratio <= 2.0,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each (median)")
    parser.add_argument("--tasks", type=int, default=1000, help="tasks on the server")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="taskflow-tui-bench-") as folder:
        result = measure(Path(folder), runs=options.runs, tasks=options.tasks)
    print(f"taskflow tui:     median {result.tui * 1000:.0f} ms  runs (ms): {_ms(result.tui_runs)}")
    print(
        f"bare Textual app: median {result.bare * 1000:.0f} ms  runs (ms): {_ms(result.bare_runs)}"
    )
    outcome = check(result, tasks=options.tasks)
    print(f"{'PASS' if outcome.ok else 'FAIL'}: {outcome.target}: {outcome.measured}")


def _ms(runs: list[float]) -> str:
    return " ".join(f"{run * 1000:.0f}" for run in runs)


if __name__ == "__main__":
    main()
