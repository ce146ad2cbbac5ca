"""`taskflow db`: migrate, seed, create an admin."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from taskflow_cli.errors import USAGE, fail
from taskflow_core.domain.errors import ServiceUnavailable

if TYPE_CHECKING:
    from collections.abc import Callable

    from taskflow_core.settings import Settings

T = TypeVar("T")

app = typer.Typer(
    help="Database administration (runs on the server machine).", no_args_is_help=True
)


def load_settings() -> Settings:
    """The server settings, or one clear line about what is wrong with them."""
    from pydantic import ValidationError

    from taskflow_core.settings import get_settings

    try:
        return get_settings()
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in item['loc']) or 'settings'}: "
            f"{item['msg'].removeprefix('Value error, ')}"
            for item in error.errors()
        )
        fail(f"invalid configuration: {problems}", USAGE)


def require_current_schema(database_url: str) -> None:
    """Refuse to start on a database whose schema is missing or out of date."""
    from taskflow_core.adapters import migrate

    current = _unavailable_if_down(lambda: migrate.current_revision(database_url))
    if current != migrate.head_revision():
        fail("the database schema is not up to date: run `taskflow db upgrade` first")


@app.command()
def upgrade(
    revision: Annotated[str, typer.Option(help="Target revision.")] = "head",
) -> None:
    """Apply the schema migrations."""
    from taskflow_core.adapters import migrate

    url = load_settings().resolved_database_url
    _unavailable_if_down(lambda: migrate.upgrade(url, revision))
    typer.echo(f"Database at revision {migrate.current_revision(url)}.")


@app.command()
def seed(
    demo: Annotated[bool, typer.Option("--demo", help="Allow outside development.")] = False,
) -> None:
    """Create the demo accounts admin@example.com and user@example.com (idempotent)."""
    from taskflow_core.admin import seed_demo

    settings = load_settings()
    if settings.env != "development" and not demo:
        fail(f"refusing to create demo accounts in {settings.env}; pass --demo to insist", USAGE)
    created = seed_demo(settings)
    if created:
        typer.echo(f"Created {', '.join(created)}.")
    else:
        typer.echo("Demo accounts already exist.")


@app.command("create-admin")
def create_admin(
    email: Annotated[str | None, typer.Option(help="Email (prompted if omitted).")] = None,
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin.")
    ] = False,
) -> None:
    """Create an admin account."""
    from pydantic import ValidationError

    from taskflow_core.admin import create_admin as create
    from taskflow_core.schemas import UserCreate

    settings = load_settings()
    email = email or typer.prompt("Email")
    name = name or (email.split("@")[0] if password_stdin else typer.prompt("Name"))
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        data = UserCreate(email=email, name=name, password=password)
    except ValidationError as error:
        fail("; ".join(f"{item['loc'][0]}: {item['msg']}" for item in error.errors()), USAGE)
    user = create(settings, data)
    typer.echo(f"Created admin {user.email}.")


def _unavailable_if_down(action: Callable[[], T]) -> T:
    from sqlalchemy.exc import OperationalError

    try:
        return action()
    except OperationalError as error:
        raise ServiceUnavailable("cannot reach the database (is it running?)") from error
