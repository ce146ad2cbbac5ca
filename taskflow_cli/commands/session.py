"""`taskflow login`, `logout` and `whoami`."""

from __future__ import annotations

import sys

from taskflow_cli.arguments import add_output_options, client_for, output_for

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse

    from taskflow_cli.output import Output
    from taskflow_cli.tokens import RefreshTokens

NO_KEYRING_HELP = (
    "log in from a desktop session with a keyring (GNOME Keyring, KWallet, macOS Keychain, "
    "Windows Credential Manager), or pass --insecure-storage to keep the tokens in a file "
    "only you can read"
)


def register_login(parser: argparse.ArgumentParser, words: list[str]) -> None:
    parser.description = (
        "Log in. The refresh token is kept in the OS keyring (or, with --insecure-storage,\n"
        "in a file only you can read); the server becomes the default for later commands."
    )
    parser.add_argument("--server", dest="command_server", metavar="URL", help="server URL")
    parser.add_argument("--email", help="asked for if left out")
    parser.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin"
    )
    parser.add_argument(
        "--insecure-storage",
        action="store_true",
        help="no OS keyring: keep the tokens in a file in the config dir (mode 0600)",
    )
    parser.set_defaults(handler=login)


def register_logout(parser: argparse.ArgumentParser, words: list[str]) -> None:
    parser.set_defaults(handler=logout)


def register_whoami(parser: argparse.ArgumentParser, words: list[str]) -> None:
    add_output_options(parser)
    parser.set_defaults(handler=whoami)


def login(args: argparse.Namespace) -> None:
    """Log in; the session is kept in the OS keyring under the server's URL."""
    from taskflow_cli.config import read_config, write_config
    from taskflow_cli.output import Output
    from taskflow_cli.stores import FileStore

    out = Output()
    store = store_for_login(insecure=args.insecure_storage)
    with client_for(args, note=False) as client:
        email = args.email or _ask_email(out)
        password = read_secret(out, "Password: ", from_stdin=args.password_stdin)
        session = client.login(email, password, store=store)
    if read_config().get("server") != client.server:
        write_config(server=client.server)
    out.message(f"Logged in to {client.server} as {session.email} ({session.role}).")
    if isinstance(store, FileStore):
        out.warn(
            f"your tokens are stored unencrypted in {store.path} (mode 0600: readable by "
            "you only); use an OS keyring where there is one."
        )


def logout(args: argparse.Namespace) -> None:
    """Log out: revoke the session on the server, then forget it here."""
    from taskflow_cli.errors import NotLoggedIn
    from taskflow_cli.output import Output

    out = Output()
    with client_for(args) as client:
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


def whoami(args: argparse.Namespace) -> None:
    """Show who you are logged in as."""
    out = output_for(args)
    with client_for(args) as client:
        user = client.me()
    if out.wants_table:
        out.message(f"{user['email']} ({user['name']}, {user['role']}) on {client.server}")
    else:
        out.json(user)


def store_for_login(*, insecure: bool) -> RefreshTokens:
    """Where a new login keeps its refresh token: the OS keyring, or the file if asked."""
    from taskflow_cli.stores import FileStore, os_keyring

    if insecure:
        return FileStore()
    from taskflow_cli.errors import KeyringUnavailable

    try:
        return os_keyring()
    except KeyringUnavailable as error:
        raise KeyringUnavailable(
            f"Cannot keep your tokens safely: {error.detail}; {NO_KEYRING_HELP}"
        ) from error


def read_secret(
    out: Output,
    prompt: str,
    *,
    from_stdin: bool,
    confirm: bool = False,
    flag: str = "--password-stdin",
) -> str:
    """A password: the next line of stdin (`flag` given), or typed at the terminal (twice
    to `confirm`)."""
    from taskflow_cli.errors import BadUsage

    if from_stdin:
        secret = sys.stdin.readline().rstrip("\r\n")
        if not secret:
            raise BadUsage("no password on stdin")
        return secret
    if not out.interactive:
        raise BadUsage(f"no terminal to ask for the password: pipe it in with {flag}")
    secret = out.secret(prompt)
    if confirm and out.secret("Again: ") != secret:
        raise BadUsage("the two passwords differ; nothing was changed")
    return secret


def _ask_email(out: Output) -> str:
    from taskflow_cli.errors import BadUsage

    if not out.interactive:
        raise BadUsage("no terminal to ask for your email: pass --email")
    return out.ask("Email: ").strip()
