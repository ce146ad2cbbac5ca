"""`taskflow tui`: the dashboard."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse


def register(parser: argparse.ArgumentParser, words: list[str]) -> None:
    parser.description = (
        "Open the dashboard: your tasks, live, with single-key actions (? lists the keys).\n"
        "TASKFLOW_TUI_REFRESH=30 refreshes every 30 s (default 10; 0 turns it off)."
    )
    parser.add_argument("--server", dest="command_server", metavar="URL", help="server URL")
    parser.add_argument(
        "--insecure-storage",
        action="store_true",
        help="no OS keyring: keep a new login's tokens in a file in the config dir (0600)",
    )
    parser.set_defaults(handler=tui)


def tui(args: argparse.Namespace) -> int:
    """Open the dashboard."""
    from taskflow_cli.config import resolve_server
    from taskflow_cli.tui.options import TuiOptions, refresh_from_env
    from taskflow_cli.tui.startup import pause_gc

    options = TuiOptions(refresh_seconds=refresh_from_env(), insecure_storage=args.insecure_storage)
    url, _ = resolve_server(args.command_server or args.server)
    pause_gc()
    # Textual loads only here: every other command starts without it.
    from taskflow_cli.tui.app import TaskflowApp

    app = TaskflowApp(url, options=options)
    app.run()
    return app.return_code or 0
