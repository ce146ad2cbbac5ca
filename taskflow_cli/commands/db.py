"""`taskflow db`: migrate, seed, create an admin (on the server machine)."""

from __future__ import annotations

import os

from taskflow_cli.arguments import commands

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable
    from typing import TypeVar

    from taskflow_core.settings import Settings

    T = TypeVar("T")


def register(parser: argparse.ArgumentParser, words: list[str]) -> None:
    commands(
        parser,
        words,
        {
            "upgrade": (upgrade, "apply the schema migrations", _upgrade_arguments),
            "seed": (seed, "create admin@example.com and user@example.com (idempotent)",
                     _seed_arguments),
            "create-admin": (create_admin, "create an admin account", _admin_arguments),
        },
    )  # fmt: skip


def _upgrade_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--revision", default="head", help="target revision")


def _seed_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--demo", action="store_true", help="allow it outside development")


def _admin_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--email", help="asked for if left out")
    parser.add_argument("--name", help="display name (asked for if left out)")
    parser.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin"
    )


def load_settings() -> Settings:
    """The server settings, or one clear line about what is wrong with them."""
    # pydantic's first model scans every installed package's entry points for plugins
    # (~12 ms); TaskFlow uses none. An explicit setting in the environment still wins.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    from pydantic import ValidationError

    from taskflow_cli.errors import BadUsage
    from taskflow_core.settings import get_settings

    try:
        return get_settings()
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in item['loc']) or 'settings'}: "
            f"{item['msg'].removeprefix('Value error, ')}"
            for item in error.errors()
        )
        raise BadUsage(f"invalid configuration: {problems}") from None


def require_current_schema(database_url: str) -> None:
    """Refuse to start on a database whose schema is missing or out of date."""
    from taskflow_core.adapters import migrate
    from taskflow_core.domain.errors import TaskflowError

    current = _unavailable_if_down(lambda: migrate.current_revision(database_url))
    if current != migrate.head_revision():
        raise TaskflowError(
            "the database schema is not up to date: run `taskflow db upgrade` first"
        )


def upgrade(args: argparse.Namespace) -> None:
    """Apply the schema migrations."""
    from taskflow_core.adapters import migrate

    url = load_settings().resolved_database_url
    _unavailable_if_down(lambda: migrate.upgrade(url, args.revision))
    print(f"Database at revision {migrate.current_revision(url)}.")


def seed(args: argparse.Namespace) -> None:
    """Create the demo accounts admin@example.com and user@example.com."""
    from taskflow_cli.errors import BadUsage
    from taskflow_core.admin import seed_demo

    settings = load_settings()
    if settings.env != "development" and not args.demo:
        raise BadUsage(f"refusing to create demo accounts in {settings.env}; pass --demo to insist")
    created = seed_demo(settings)
    print(f"Created {', '.join(created)}." if created else "Demo accounts already exist.")


def create_admin(args: argparse.Namespace) -> None:
    """Create an admin account."""
    from pydantic import ValidationError

    from taskflow_cli.commands.session import read_secret
    from taskflow_cli.errors import BadUsage
    from taskflow_cli.output import Output
    from taskflow_core.admin import create_admin as create
    from taskflow_core.schemas import UserCreate

    settings = load_settings()
    out = Output()
    email = args.email or out.ask("Email: ")
    name = args.name or (email.split("@")[0] if args.password_stdin else out.ask("Name: "))
    password = read_secret(out, "Password: ", from_stdin=args.password_stdin, confirm=True)
    try:
        data = UserCreate(email=email, name=name, password=password)
    except ValidationError as error:
        raise BadUsage(
            "; ".join(f"{item['loc'][0]}: {item['msg']}" for item in error.errors())
        ) from None
    user = create(settings, data)
    print(f"Created admin {user.email}.")


def _unavailable_if_down(action: Callable[[], T]) -> T:
    from sqlalchemy.exc import OperationalError

    from taskflow_core.domain.errors import ServiceUnavailable

    try:
        return action()
    except OperationalError as error:
        raise ServiceUnavailable("cannot reach the database (is it running?)") from error
