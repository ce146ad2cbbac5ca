"""`taskflow notifications …`: your inbox (overdue tasks, for now)."""

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

    from taskflow_cli.client import ApiClient
    from taskflow_cli.output import TableData

    Json = dict[str, Any]

MIN_PREFIX = 4
FULL_ID = 36


def register(parser: argparse.ArgumentParser, words: list[str]) -> None:
    commands(
        parser,
        words,
        {
            "list": (list_notifications, "list your notifications, newest first",
                     _list_arguments),
            "read": (read_notifications, "mark notifications read", _read_arguments),
        },
    )  # fmt: skip


def _list_arguments(listing: argparse.ArgumentParser) -> None:
    listing.add_argument("--unread", action="store_true", help="only unread ones")
    add_page_options(listing)
    add_output_options(listing, lists=True)


def _read_arguments(read: argparse.ArgumentParser) -> None:
    read.add_argument(
        "ids", nargs="*", metavar="ID", help="ids, or their first characters as listed"
    )
    read.add_argument("--all", dest="every", action="store_true", help="every unread one")


def list_notifications(args: argparse.Namespace) -> None:
    """List your notifications, newest first."""
    from taskflow_cli import listing
    from taskflow_cli.wire import NOTIFICATION_FIELDS

    out = output_for(args)
    query = {"unread": "true" if args.unread else None, "limit": args.limit, "page": args.page}
    with client_for(args) as client:
        items = listing.fetch(
            client, "/notifications", query, every_page=args.every_page, out=out,
            noun="notifications",
        )  # fmt: skip
    listing.show(
        out, items, fields=NOTIFICATION_FIELDS, table=_notification_table, noun="notifications"
    )


def read_notifications(args: argparse.Namespace) -> None:
    """Mark notifications read, in one request: those named, or with --all every one."""
    from taskflow_cli.errors import BadUsage
    from taskflow_cli.output import Output

    out = Output()
    if bool(args.ids) == args.every:
        raise BadUsage("name the notifications to mark read, or pass --all (not both)")
    with client_for(args) as client:
        ids = None if args.every else _full_ids(client, args.ids)
        marked = client.mark_read(ids)
    message = f"Marked {marked} notification{'s' if marked != 1 else ''} read."
    if ids is not None and marked < len(ids):
        message += f" ({len(ids) - marked} already read.)"
    out.message(message)


def _full_ids(client: ApiClient, keys: list[str]) -> list[str]:
    """The ids the keys name: whole ids as they are, prefixes matched to unread ones."""
    prefixes = [key for key in keys if len(key) != FULL_ID]
    unread: list[Json] = []
    if prefixes:
        unread = [
            item
            for page in client.pages("/notifications", {"unread": "true"})
            for item in page["data"]
        ]
    return list(
        dict.fromkeys(key if len(key) == FULL_ID else _match(key, unread)["id"] for key in keys)
    )


def _match(prefix: str, notifications: list[Json]) -> Json:
    from taskflow_cli.errors import BadUsage
    from taskflow_core.domain.errors import NotFound

    key = prefix.strip().lower()
    if len(key) < MIN_PREFIX:
        raise BadUsage(f"{prefix!r} is too short: give at least {MIN_PREFIX} characters of an id")
    found = [item for item in notifications if item["id"].startswith(key)]
    if not found:
        raise NotFound(f"No unread notification {prefix}")
    if len(found) > 1:
        raise BadUsage(f"{prefix!r} matches {len(found)} notifications: give more characters")
    return found[0]


def _notification_table(items: list[Json]) -> TableData:
    from taskflow_cli.views import notification_table

    return notification_table(items)
