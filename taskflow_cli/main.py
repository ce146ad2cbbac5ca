"""The `taskflow` command."""

from __future__ import annotations

import gc
import os

# Typer builds pydantic models, and pydantic's first model scans every installed package's
# entry points for plugins (~12 ms of each command's start-up); the CLI uses none. An
# explicit setting in the environment still wins.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

import typer

from taskflow_cli.command_groups import TaskflowGroup
from taskflow_cli.commands import auth, server
from taskflow_cli.commands import tui as tui_command
from taskflow_cli.commands import worker as worker_command
from taskflow_cli.errors import run_guarded
from taskflow_cli.options import global_options

app = typer.Typer(
    name="taskflow",
    help="TaskFlow: tasks from your terminal.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # Adds the sub-groups (`taskflow tasks ...`, see `command_groups.SUB_APPS`).
    cls=TaskflowGroup,
)
app.callback()(global_options)
app.command("login")(auth.login)
app.command("logout")(auth.logout)
app.command("whoami")(auth.whoami)
app.command("server")(server.serve)
app.command("worker")(worker_command.work)
app.command("tui")(tui_command.tui)


def run() -> None:
    """Console-script entry point."""
    try:
        run_guarded(lambda: app(standalone_mode=False))
    finally:
        # The process ends here and the OS takes its memory back at once. Left tracked, every
        # object Typer, pydantic and httpx made is walked again by the interpreter's final
        # garbage collections: ~100 ms after a 300 ms `taskflow tasks list` has printed.
        gc.freeze()
