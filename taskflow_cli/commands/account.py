"""`taskflow account`: your own account (name, email, password)."""

from __future__ import annotations

from taskflow_cli.arguments import add_output_options, client_for, commands, output_for

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any

    from taskflow_cli.client import ApiClient
    from taskflow_cli.output import Output

CURRENT_STDIN_HELP = "read your current password from stdin (its first line)"


def register(parser: argparse.ArgumentParser, words: list[str]) -> None:
    parser.description = (
        "Your account. With no command, show it.\n\n"
        "  taskflow account edit --name 'Ada Lovelace'\n"
        "  taskflow account edit --email ada@example.com     # asks for your password\n"
        "  taskflow account password                         # asks for both passwords\n"
        '  printf \'%s\\n%s\\n\' "$OLD" "$NEW" | \\\n'
        "      taskflow account password --current-password-stdin --password-stdin"
    )
    add_output_options(parser)
    parser.set_defaults(handler=show)
    commands(
        parser,
        words,
        {
            "show": (show, "show your account", add_output_options),
            "edit": (edit, "change your name or email", _edit_arguments),
            "password": (password, "change your password", _password_arguments),
        },
        required=False,
    )


def _edit_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--name", help="your display name")
    parser.add_argument("--email", help="a new email (asks for your password)")
    parser.add_argument("--current-password-stdin", action="store_true", help=CURRENT_STDIN_HELP)
    add_output_options(parser)


def _password_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--current-password-stdin", action="store_true", help=CURRENT_STDIN_HELP)
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the new password from stdin (after the current one, if that is too)",
    )


def show(args: argparse.Namespace) -> None:
    """Show your account."""
    out = output_for(args)
    with client_for(args) as client:
        user = client.me()
    _report(out, user, None)


def edit(args: argparse.Namespace) -> None:
    """Change your name or email; an email change needs your current password."""
    from taskflow_cli.commands.session import read_secret
    from taskflow_cli.errors import BadUsage

    out = output_for(args)
    changes: dict[str, Any] = {}
    if args.name is not None:
        changes["name"] = args.name
    if args.email is not None:
        changes["email"] = args.email
    if not changes:
        raise BadUsage("nothing to change: pass --name or --email")
    if "email" in changes or args.current_password_stdin:
        changes["currentPassword"] = read_secret(
            out,
            "Current password: ",
            from_stdin=args.current_password_stdin,
            flag="--current-password-stdin",
        )
    with client_for(args) as client:
        user = _update_me(client, changes)
    _report(out, user, "Updated your account")


def password(args: argparse.Namespace) -> None:
    """Change your password; your other logins end, this one stays."""
    from taskflow_cli.commands.session import read_secret
    from taskflow_cli.output import Output

    out = Output()
    current = read_secret(
        out,
        "Current password: ",
        from_stdin=args.current_password_stdin,
        flag="--current-password-stdin",
    )
    new = read_secret(out, "New password: ", from_stdin=args.password_stdin, confirm=True)
    with client_for(args) as client:
        _update_me(client, {"password": new, "currentPassword": current})
    out.message("Password changed; your other sessions were logged out.")


def _update_me(client: ApiClient, changes: dict[str, Any]) -> dict[str, Any]:
    from taskflow_cli import tokens

    me = client.me()
    user = client.update_user(me["id"], changes)
    if user["email"] != me["email"]:
        # The stored login names the account by its email: keep it true until the next
        # refresh brings the new one anyway.
        login = tokens.read_login(client.server)
        if login is not None:
            login.email = user["email"]
            tokens.write_login(client.server, login)
        session = tokens.read_session(client.server)
        if session is not None:
            session.email = user["email"]
            tokens.write_session(session)
    return user


def _report(out: Output, user: dict[str, Any], verb: str | None) -> None:
    if not out.wants_table:
        out.json(user)
        return
    if verb is not None:
        out.message(f"{verb}: {user['name']} <{user['email']}>.")
        return
    from taskflow_cli.views import user_detail

    out.table(user_detail(user))
