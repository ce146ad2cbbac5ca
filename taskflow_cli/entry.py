"""The console script's entry point: it imports nothing until it runs.

`taskflow server --workers N` has uvicorn start its workers with multiprocessing's spawn,
which runs the parent's main script again in each worker. A script that imported the CLI at
the top would load Typer and every command into each server worker, memory held for nothing.
"""

from __future__ import annotations


def run() -> None:
    """Run the `taskflow` command."""
    from taskflow_cli.main import run as run_command

    run_command()
