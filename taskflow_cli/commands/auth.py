"""`taskflow auth status|token`: the login itself."""

from __future__ import annotations

import sys

from taskflow_cli.arguments import add_output_options, client_for, commands, output_for

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse


def register(parser: argparse.ArgumentParser, words: list[str]) -> None:
    commands(
        parser,
        words,
        {
            "status": (status, "server, user, token storage and session expiry",
                       add_output_options),
            "token": (token, "print a valid access token, for scripts", _token_arguments),
        },
    )  # fmt: skip


def _token_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = '  curl -H "Authorization: Bearer $(taskflow auth token)" …'


def status(args: argparse.Namespace) -> None:
    """Show the server, user, token storage and session expiry."""
    import time

    from taskflow_cli.dates import span
    from taskflow_cli.errors import ServerUnreachable

    out = output_for(args)
    with client_for(args) as client:
        email, role = client.account()
        storage = client.storage().description
        try:
            client.me()
            checked = True
        except ServerUnreachable:
            checked = False
        session = client.current_session() if checked else None
    if not out.wants_table:
        out.json(
            {
                "server": client.server,
                "email": email,
                "role": role,
                "storage": storage,
                "accessTokenExpiresAt": _iso(session.expires_at) if session else None,
                "checkedWithServer": checked,
            }
        )
        return
    out.message(f"Server:        {client.server}")
    out.message(f"User:          {email} ({role})")
    out.message(f"Token storage: {storage}")
    if session is not None:
        from datetime import timedelta

        left = span(timedelta(seconds=session.expires_at - time.time()))
        out.message(f"Access token:  expires in {left} (refreshed as needed)")
        out.message("Session:       active (checked with the server)")
    else:
        out.warn(f"cannot reach {client.server} to check the session.")


def token(args: argparse.Namespace) -> None:
    """Print a valid access token (for scripts)."""
    with client_for(args) as client:
        access_token = client.current_session().access_token
    sys.stdout.write(access_token + "\n")


def _iso(epoch: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(epoch, UTC).isoformat()
