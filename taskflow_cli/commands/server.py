"""`taskflow server`: run the REST server with uvicorn."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse


def register(parser: argparse.ArgumentParser, words: list[str]) -> None:
    from taskflow_cli.arguments import positive

    parser.description = "Run the REST server (API docs at /docs)."
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=_port, default=8000, help="port to listen on")
    parser.add_argument("--workers", type=positive, default=1, help="worker processes")
    parser.set_defaults(handler=serve)


def serve(args: argparse.Namespace) -> None:
    """Run the REST server."""
    import sys

    from server.serve import serve as run
    from taskflow_cli.commands.db import load_settings, require_current_schema

    settings = load_settings()
    require_current_schema(settings.resolved_database_url)
    host, port = args.host, args.port
    url = f"http://{host}:{port}"
    print(f"TaskFlow API on {url} (docs: {url}/docs)", file=sys.stderr)
    run(
        host,
        port,
        workers=args.workers,
        log_level=settings.log_level.lower(),
        shared_metrics=settings.metrics,
    )


def _port(text: str) -> int:
    import argparse

    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port (1-65535)")
    return int(text)
