"""`taskflow users …`: manage accounts (admins), addressed by email or id."""

from __future__ import annotations

from taskflow_cli.arguments import (
    add_output_options,
    add_page_options,
    client_for,
    commands,
    output_for,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any

    from taskflow_cli.output import Output, TableData

    Json = dict[str, Any]

ROLES = ("user", "admin")


def register(parser: argparse.ArgumentParser, words: list[str]) -> None:
    commands(
        parser,
        words,
        {
            "list": (list_users, "list accounts, newest first", _list_arguments),
            "add": (add_user, "create an account", _add_arguments),
            "show": (show_user, "show an account", _show_arguments),
            "edit": (edit_user, "change an account's name, email, role, password or access",
                     _edit_arguments),
            "rm": (remove_user, "delete an account and all its tasks", _remove_arguments),
        },
    )  # fmt: skip


def _list_arguments(listing: argparse.ArgumentParser) -> None:
    listing.add_argument("--role", choices=ROLES, type=str.lower)
    listing.add_argument("--search", help="part of an email or name")
    add_page_options(listing)
    add_output_options(listing, lists=True)


def _add_arguments(add: argparse.ArgumentParser) -> None:
    add.add_argument("email", help="the new account's email")
    add.add_argument("--name", help="display name (default: the email's first part)")
    add.add_argument("--role", choices=ROLES, type=str.lower)
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add_output_options(add)


def _show_arguments(show: argparse.ArgumentParser) -> None:
    show.add_argument("user", help="the account's email or id")
    add_output_options(show)


def _edit_arguments(edit: argparse.ArgumentParser) -> None:
    _show_arguments(edit)
    edit.add_argument("--name", help="display name")
    edit.add_argument("--email", help="new email")
    edit.add_argument("--role", choices=ROLES, type=str.lower)
    access = edit.add_mutually_exclusive_group()
    access.add_argument("--active", dest="active", action="store_true", default=None)
    access.add_argument(
        "--inactive", dest="active", action="store_false", help="block (or allow) logging in"
    )
    edit.add_argument(
        "--password-stdin", action="store_true", help="read a new password from stdin"
    )


def _remove_arguments(remove: argparse.ArgumentParser) -> None:
    remove.add_argument("user", help="the account's email or id")
    remove.add_argument("-y", "--yes", action="store_true", help="do not ask")


def list_users(args: argparse.Namespace) -> None:
    """List accounts, newest first."""
    from taskflow_cli import listing
    from taskflow_cli.wire import USER_FIELDS

    out = output_for(args)
    query = {"role": args.role, "search": args.search, "limit": args.limit, "page": args.page}
    with client_for(args) as client:
        users = listing.fetch(
            client, "/users", query, every_page=args.every_page, out=out, noun="users"
        )
    listing.show(out, users, fields=USER_FIELDS, table=_user_table, noun="users")


def add_user(args: argparse.Namespace) -> None:
    """Create an account."""
    from taskflow_cli.commands.session import read_secret

    out = output_for(args)
    body: Json = {
        "email": args.email,
        "name": args.name or args.email.split("@")[0],
        "password": read_secret(out, "Password: ", from_stdin=args.password_stdin, confirm=True),
    }
    if args.role is not None:
        body["role"] = args.role
    with client_for(args) as client:
        user = client.call("POST", "/users", body=body)
    _report_user(out, user, "Created")


def show_user(args: argparse.Namespace) -> None:
    """Show an account."""
    out = output_for(args)
    with client_for(args) as client:
        found = client.user_by_email_or_id(args.user)
    if not out.wants_table:
        out.json(found)
        return
    from taskflow_cli.views import user_detail

    out.table(user_detail(found))


def edit_user(args: argparse.Namespace) -> None:
    """Change an account's name, email, role, password, or whether it may log in."""
    from taskflow_cli.commands.session import read_secret
    from taskflow_cli.errors import BadUsage

    out = output_for(args)
    changes: Json = {
        key: value
        for key, value in (
            ("name", args.name),
            ("email", args.email),
            ("role", args.role),
            ("isActive", args.active),
        )
        if value is not None
    }
    if args.password_stdin:
        changes["password"] = read_secret(out, "Password: ", from_stdin=True)
    if not changes:
        raise BadUsage(
            "nothing to change: pass --name, --email, --role, --active/--inactive or "
            "--password-stdin"
        )
    with client_for(args) as client:
        found = client.user_by_email_or_id(args.user)
        updated = client.update_user(found["id"], changes)
    _report_user(out, updated, "Updated")


def remove_user(args: argparse.Namespace) -> None:
    """Delete an account and all its tasks (asks first, unless --yes)."""
    from taskflow_cli.errors import BadUsage
    from taskflow_cli.output import Output

    out = Output()
    if not args.yes and not out.interactive:
        raise BadUsage("refusing to delete without asking: pass --yes (no terminal to ask on)")
    with client_for(args) as client:
        found = client.user_by_email_or_id(args.user)
        if not args.yes and not out.confirm(f"Delete {found['email']} and all their tasks?"):
            out.note("Nothing deleted.")
            return
        client.call("DELETE", f"/users/{found['id']}")
    out.message(f"Deleted {found['email']}.")


def _report_user(out: Output, user: Json, verb: str) -> None:
    if out.wants_table:
        out.message(f"{verb} {user['email']} ({user['role']}).")
    else:
        out.json(user)


def _user_table(users: list[Json]) -> TableData:
    from taskflow_cli.views import user_table

    return user_table(users)
