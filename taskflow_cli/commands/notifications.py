"""`taskflow notifications …`: your inbox (overdue tasks, for now)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from taskflow_cli.errors import BadUsage
from taskflow_cli.options import (
    AllOption,
    FormatOption,
    JsonOption,
    LimitOption,
    PageOption,
    output_for,
)

if TYPE_CHECKING:
    from taskflow_cli.output import TableData

app = typer.Typer(help="Your notifications: list them, mark them read.")

Json = dict[str, Any]
MIN_PREFIX = 4
FULL_ID = 36


@app.command("list")
def list_notifications(
    *,
    unread: Annotated[bool, typer.Option("--unread", help="Only unread ones.")] = False,
    limit: LimitOption = 20,
    page: PageOption = 1,
    every_page: AllOption = False,
    json: JsonOption = False,
    output: FormatOption = None,
) -> None:
    """List your notifications, newest first."""
    from taskflow_cli import listing
    from taskflow_cli.client import open_client
    from taskflow_cli.wire import NOTIFICATION_FIELDS

    out = output_for(json, output, lists=True)
    query = {"unread": "true" if unread else None, "limit": limit, "page": page}
    with open_client() as client:
        items = listing.fetch(
            client, "/notifications", query, every_page=every_page, out=out, noun="notifications"
        )
    listing.show(
        out, items, fields=NOTIFICATION_FIELDS, table=_notification_table, noun="notifications"
    )


@app.command("read")
def read(
    ids: Annotated[
        list[str] | None,
        typer.Argument(help="Notification ids, or their first characters as listed."),
    ] = None,
    every: Annotated[bool, typer.Option("--all", help="Mark every unread one read.")] = False,
) -> None:
    """Mark notifications read."""
    from taskflow_cli.client import open_client
    from taskflow_cli.output import Output

    out = Output()
    if not ids and not every:
        raise BadUsage("name the notifications to mark read, or pass --all")
    keys = ids or []
    with open_client() as client:
        if every or any(len(key) < FULL_ID for key in keys):
            unread = [
                item
                for page in client.pages("/notifications", {"unread": "true"})
                for item in page["data"]
            ]
        chosen = (
            [item["id"] for item in unread]
            if every
            else [key if len(key) == FULL_ID else _match(key, unread)["id"] for key in keys]
        )
        for notification_id in chosen:
            client.mark_notification_read(notification_id)
    out.message(f"Marked {len(chosen)} notification{'s' if len(chosen) != 1 else ''} read.")


def _match(prefix: str, notifications: list[Json]) -> Json:
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
