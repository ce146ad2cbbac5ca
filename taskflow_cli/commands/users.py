"""`taskflow users …`: manage accounts (admins), addressed by email or id."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from taskflow_cli.errors import BadUsage
from taskflow_cli.options import (
    AllOption,
    FormatOption,
    JsonOption,
    LimitOption,
    PageOption,
    YesOption,
    output_for,
)

if TYPE_CHECKING:
    from taskflow_cli.output import Output, TableData

app = typer.Typer(help="Manage accounts (admins only).")

Json = dict[str, Any]
UserKey = Annotated[str, typer.Argument(help="The user's email or id.")]
NameOption = Annotated[str | None, typer.Option("--name", help="Display name.")]
PasswordStdinOption = Annotated[
    bool, typer.Option("--password-stdin", help="Read the new password from stdin.")
]


class Role(StrEnum):
    USER = "user"
    ADMIN = "admin"


RoleOption = Annotated[Role | None, typer.Option("--role", case_sensitive=False)]


@app.command("list")
def list_users(
    *,
    role: RoleOption = None,
    search: Annotated[str | None, typer.Option(help="Part of an email or name.")] = None,
    limit: LimitOption = 20,
    page: PageOption = 1,
    every_page: AllOption = False,
    json: JsonOption = False,
    output: FormatOption = None,
) -> None:
    """List accounts, newest first."""
    from taskflow_cli import listing
    from taskflow_cli.client import open_client
    from taskflow_cli.wire import USER_FIELDS

    out = output_for(json, output, lists=True)
    query = {"role": role.value if role else None, "search": search, "limit": limit, "page": page}
    with open_client() as client:
        users = listing.fetch(client, "/users", query, every_page=every_page, out=out, noun="users")
    listing.show(out, users, fields=USER_FIELDS, table=_user_table, noun="users")


@app.command("add")
def add(
    email: Annotated[str, typer.Argument(help="The new account's email.")],
    *,
    name: NameOption = None,
    role: RoleOption = None,
    password_stdin: PasswordStdinOption = False,
    json: JsonOption = False,
) -> None:
    """Create an account."""
    from taskflow_cli.client import open_client

    out = output_for(json)
    body: Json = {
        "email": email,
        "name": name or email.split("@")[0],
        "password": _new_password(from_stdin=password_stdin),
    }
    if role is not None:
        body["role"] = role.value
    with open_client() as client:
        user = client.call("POST", "/users", json=body)
    _report_user(out, user, "Created")


@app.command("show")
def show(user: UserKey, json: JsonOption = False) -> None:
    """Show an account."""
    from taskflow_cli.client import open_client

    out = output_for(json)
    with open_client() as client:
        found = client.user_by_email_or_id(user)
    if not out.wants_table:
        out.json(found)
        return
    from taskflow_cli.views import user_detail

    out.table(user_detail(found))


@app.command("edit")
def edit(
    user: UserKey,
    *,
    name: NameOption = None,
    email: Annotated[str | None, typer.Option("--email", help="New email.")] = None,
    role: RoleOption = None,
    active: Annotated[
        bool | None, typer.Option("--active/--inactive", help="Allow or block logging in.")
    ] = None,
    password_stdin: PasswordStdinOption = False,
    json: JsonOption = False,
) -> None:
    """Change an account's name, email, role, password, or whether it may log in."""
    from taskflow_cli.client import open_client

    out = output_for(json)
    changes: Json = {"name": name, "email": email, "isActive": active}
    changes = {key: value for key, value in changes.items() if value is not None}
    if role is not None:
        changes["role"] = role.value
    if password_stdin:
        changes["password"] = _new_password(from_stdin=True)
    if not changes:
        raise BadUsage(
            "nothing to change: pass --name, --email, --role, --active/--inactive or "
            "--password-stdin"
        )
    with open_client() as client:
        found = client.user_by_email_or_id(user)
        updated = client.call("PATCH", f"/users/{found['id']}", json=changes)
    _report_user(out, updated, "Updated")


@app.command("rm")
def remove(user: UserKey, yes: YesOption = False) -> None:
    """Delete an account and all its tasks (asks first, unless --yes)."""
    from taskflow_cli.client import open_client
    from taskflow_cli.output import Output

    out = Output()
    if not yes and not out.interactive:
        raise BadUsage("refusing to delete without asking: pass --yes (no terminal to ask on)")
    with open_client() as client:
        found = client.user_by_email_or_id(user)
        if not yes and not out.confirm(f"Delete {found['email']} and all their tasks?"):
            out.note("Nothing deleted.")
            return
        client.call("DELETE", f"/users/{found['id']}")
    out.message(f"Deleted {found['email']}.")


def _new_password(*, from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise BadUsage("no terminal to ask for the password: pipe it with --password-stdin")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True, err=True))


def _report_user(out: Output, user: Json, verb: str) -> None:
    if out.wants_table:
        out.message(f"{verb} {user['email']} ({user['role']}).")
    else:
        out.json(user)


def _user_table(users: list[Json]) -> TableData:
    from taskflow_cli.views import user_table

    return user_table(users)
