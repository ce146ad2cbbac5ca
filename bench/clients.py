"""Client-side start-up: the daily CLI commands (bench.cli_commands) against their 120 ms
target, and the TUI's first paint against a bare Textual app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bench import cli_commands, tui_first_paint

if TYPE_CHECKING:
    from pathlib import Path

    from bench.report import Check


def measure(workdir: Path, *, quick: bool) -> list[Check]:
    """`taskflow tasks list|add|add --due|done` medians beside `python -c pass` (and
    Taskwarrior's `task list` when installed), and the TUI's first paint."""
    (workdir / "cli").mkdir(exist_ok=True)
    found = cli_commands.measure(workdir / "cli", runs=5 if quick else 20)
    checks = cli_commands.checks(found)
    (workdir / "tui").mkdir(exist_ok=True)
    first_paint = tui_first_paint.measure(workdir / "tui", runs=5 if quick else 9)
    checks.append(tui_first_paint.check(first_paint))
    return checks
