"""The `taskflow` command."""

from __future__ import annotations

import typer

from taskflow_cli.commands import db, server
from taskflow_cli.commands import worker as worker_command
from taskflow_cli.errors import run_guarded

app = typer.Typer(
    name="taskflow",
    help="TaskFlow: tasks from your terminal.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db.app, name="db")
app.command("server")(server.serve)
app.command("worker")(worker_command.work)


def run() -> None:
    """Console-script entry point."""
    run_guarded(lambda: app(standalone_mode=True))
