"""`taskflow tui`: the dashboard."""

from __future__ import annotations

from typing import Annotated

import typer


def tui(
    server: Annotated[
        str | None, typer.Option("--server", help="Server URL.", show_default=False)
    ] = None,
    insecure_storage: Annotated[
        bool,
        typer.Option(
            "--insecure-storage",
            help="No OS keyring: keep a new login's tokens in a file in the config dir (0600).",
        ),
    ] = False,
) -> None:
    """Open the dashboard: your tasks, live, with single-key actions (? lists the keys)."""
    from taskflow_cli.config import resolve_server
    from taskflow_cli.tui.options import TuiOptions, refresh_from_env
    from taskflow_cli.tui.startup import pause_gc

    options = TuiOptions(refresh_seconds=refresh_from_env(), insecure_storage=insecure_storage)
    url = resolve_server(server)
    pause_gc()
    # Textual loads only here: every other command starts without it.
    from taskflow_cli.tui.app import TaskflowApp

    app = TaskflowApp(url, options=options)
    app.run()
    if app.return_code:
        raise typer.Exit(app.return_code)
