"""`taskflow notifications …` end to end, with the server's overdue scan running."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from tests.cli.conftest import assert_one_error_line

if TYPE_CHECKING:
    from tests.cli.conftest import Cli

SERVER_SETTINGS = {"TASKFLOW_OVERDUE_SCAN_INTERVAL": "1"}


def wait_for_notifications(cli: Cli, count: int) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        items: list[dict[str, Any]] = cli.ok("notifications", "list", "--json").json()
        if len(items) >= count:
            return items
        time.sleep(0.5)
    raise AssertionError(f"expected {count} notifications")


def test_overdue_tasks_show_up_and_can_be_marked_read(logged_in: Cli) -> None:
    logged_in.add_task("Pay the rent", "--due", "2020-01-01")
    logged_in.add_task("Renew passport", "--due", "2020-02-01")
    first, second = wait_for_notifications(logged_in, 2)

    table = logged_in.ok("notifications", "list").stdout
    assert first["id"][:8] in table
    assert "new" in table

    marked = logged_in.ok("notifications", "read", first["id"][:8])
    assert marked.stdout.strip() == "Marked 1 notification read."
    unread = logged_in.ok("notifications", "list", "--unread", "--json").json()
    assert [item["id"] for item in unread] == [second["id"]]

    assert "Marked 1 notification read." in logged_in.ok("notifications", "read", "--all").stdout
    assert logged_in.ok("notifications", "list", "--unread", "--json").json() == []


def test_reading_needs_ids_or_all(logged_in: Cli) -> None:
    assert_one_error_line(logged_in.run("notifications", "read"), 2, "--all")
    assert_one_error_line(logged_in.run("notifications", "read", "abcd1234"), 4, "abcd1234")
