"""`taskflow server`: run the REST server with uvicorn."""

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
    import uvicorn

    settings = load_settings()
    require_current_schema(settings.resolved_database_url)
    typer.echo(f"TaskFlow API on http://{host}:{port} (docs: http://{host}:{port}/docs)", err=True)
    uvicorn.run(
        "server.app:create_server_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,
        # Client addresses are ours to work out (TASKFLOW_TRUSTED_PROXIES); uvicorn would
        # otherwise believe X-Forwarded-For from any local peer.
        proxy_headers=False,
        server_header=False,
        # The API has no WebSocket routes; uvicorn would otherwise load a WebSocket
        # implementation into every worker.
        ws="none",
        log_level=settings.log_level.lower(),
    )
