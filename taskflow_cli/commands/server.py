"""`taskflow server`: run the REST server (`server.serve`)."""

from __future__ import annotations

from typing import Annotated

import typer

from taskflow_cli.commands.db import load_settings, require_current_schema


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.", min=1)] = 1,
) -> None:
    """Run the REST server (docs at /docs)."""
    from server.serve import serve as run_server

    settings = load_settings()
    require_current_schema(settings.resolved_database_url)
    typer.echo(f"TaskFlow API on http://{host}:{port} (docs: http://{host}:{port}/docs)", err=True)
    run_server(host, port, workers=workers, log_level=settings.log_level.lower())
