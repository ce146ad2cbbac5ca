"""`taskflow login`, `logout`, `whoami`, and `taskflow auth status|token`."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from taskflow_cli.errors import BadUsage
from taskflow_cli.options import JsonOption, output_for
from taskflow_cli.output import Output

if TYPE_CHECKING:
    from taskflow_cli.tokens import TokenStore

app = typer.Typer(help="Your login: status and access token.", no_args_is_help=True)

NO_KEYRING_HELP = (
    "log in from a desktop session with a keyring (GNOME Keyring, KWallet, macOS Keychain, "
    "Windows Credential Manager), or pass --insecure-storage to keep the tokens in a file "
    "only you can read"
)


def login(
    server: Annotated[
        str | None, typer.Option("--server", help="Server URL.", show_default=False)
    ] = None,
    email: Annotated[str | None, typer.Option("--email", help="Asked for if omitted.")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin.")
    ] = False,
    insecure_storage: Annotated[
        bool,
        typer.Option(
            "--insecure-storage",
            help="No OS keyring: keep the tokens in a file in the config dir (mode 0600).",
        ),
    ] = False,
) -> None:
    """Log in; the session is kept in the OS keyring under the server's URL."""
    from taskflow_cli.client import ApiClient
    from taskflow_cli.config import read_config, resolve_server, write_config
    from taskflow_cli.tokens import FileStore

    out = Output()
    url = resolve_server(server)
    store = _store_for_login(insecure=insecure_storage)
    email = email or _ask_email()
    password = _read_password(from_stdin=password_stdin)
    with ApiClient(url) as client:
        credentials = client.login(email, password, store=store)
    if read_config().get("server") != url:
        write_config(server=url)
    out.message(f"Logged in to {url} as {credentials.email} ({credentials.role}).")
    if isinstance(store, FileStore):
        out.warn(
            f"your tokens are stored unencrypted in {store.path} (mode 0600: readable by "
            "you only); use an OS keyring where there is one."
        )


def logout() -> None:
    """Log out: revoke the session on the server, then forget it here."""
    from taskflow_cli.client import open_client
    from taskflow_cli.errors import NotLoggedIn

    out = Output()
    with open_client() as client:
        try:
            revoked = client.logout()
        except NotLoggedIn:
            out.note(f"Not logged in to {client.server}.")
            return
    if revoked:
        out.message(f"Logged out of {client.server}.")
    else:
        out.warn(
            f"cannot reach {client.server}: the session is forgotten here but was not "
            "revoked on the server (it expires on its own)."
        )


def whoami(json: JsonOption = False) -> None:
    """Show who you are logged in as."""
    from taskflow_cli.client import open_client

    out = output_for(json)
    with open_client() as client:
        user = client.me()
    if out.wants_table:
        out.message(f"{user['email']} ({user['name']}, {user['role']}) on {client.server}")
    else:
        out.json(user)


@app.command()
def status(json: JsonOption = False) -> None:
    """Show the server, user, token storage and session expiry."""
    from taskflow_cli.client import open_client
    from taskflow_cli.dates import due_phrase
    from taskflow_core.domain.clock import utcnow
    from taskflow_core.domain.errors import ServiceUnavailable

    out = output_for(json)
    with open_client() as client:
        credentials, store = client.session()
        try:
            client.me()
            checked = True
        except ServiceUnavailable:
            checked = False
        credentials, store = client.session()
    if not out.wants_table:
        out.json(
            {
                "server": client.server,
                "email": credentials.email,
                "role": credentials.role,
                "storage": store.description,
                "accessTokenExpiresAt": credentials.access_expires_at.isoformat(),
                "checkedWithServer": checked,
            }
        )
        return
    expiry = due_phrase(credentials.access_expires_at, now=utcnow(), completed=True)
    expires = f"expires {expiry}" if expiry.startswith("in ") else f"expired {expiry}"
    out.message(f"Server:        {client.server}")
    out.message(f"User:          {credentials.email} ({credentials.role})")
    out.message(f"Token storage: {store.description}")
    out.message(f"Access token:  {expires} (refreshed as needed)")
    if checked:
        out.message("Session:       active (checked with the server)")
    else:
        out.warn(f"cannot reach {client.server} to check the session.")


@app.command()
def token() -> None:
    """Print a valid access token (for scripts: curl -H "Authorization: Bearer $(…)")."""
    from taskflow_cli.client import open_client

    with open_client() as client:
        access_token = client.access_token()
    sys.stdout.write(access_token + "\n")


def _store_for_login(*, insecure: bool) -> TokenStore:
    from taskflow_cli.tokens import FileStore, KeyringUnavailable, os_keyring

    if insecure:
        return FileStore()
    try:
        return os_keyring()
    except KeyringUnavailable as error:
        raise KeyringUnavailable(
            f"Cannot keep your tokens safely: {error.detail}; {NO_KEYRING_HELP}"
        ) from error


def _ask_email() -> str:
    if not sys.stdin.isatty():
        raise BadUsage("no terminal to ask for your email: pass --email")
    return str(typer.prompt("Email", err=True))


def _read_password(*, from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise BadUsage("--password-stdin: no password on stdin")
        return password
    if not sys.stdin.isatty():
        raise BadUsage("no terminal to ask for your password: pipe it with --password-stdin")
    return str(typer.prompt("Password", hide_input=True, err=True))
