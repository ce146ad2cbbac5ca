"""One request where one request can do it: counted in the server's access log."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.cli.conftest import Cli

SERVER_SETTINGS = {"TASKFLOW_LOG_LEVEL": "INFO", "TASKFLOW_OVERDUE_SCAN_INTERVAL": "1"}


def requests_of(cli: Cli, *args: str, input: str | None = None) -> list[str]:
    """The requests `taskflow ARGS` made (the access log is shared: one test at a time)."""
    before = len(cli.server.requests())
    cli.ok(*args, input=input)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        # Each line is written just after its answer: wait until a second passes without one.
        made = cli.server.requests()[before:]
        time.sleep(1.0)
        if made and made == cli.server.requests()[before:]:
            return [line for line in made if not line.startswith("GET /health")]
    raise AssertionError("the server log did not settle")


def test_done_resolves_its_numbers_in_one_request_and_acts_in_one_more(logged_in: Cli) -> None:
    for title in ("one", "two", "three", "four"):
        logged_in.add_task(title)

    made = requests_of(logged_in, "tasks", "done", "2", "3", "4")

    assert made == ["GET /tasks", "POST /tasks/batch"]


def test_list_show_and_add_are_one_request_each(logged_in: Cli) -> None:
    logged_in.add_task("one")

    assert requests_of(logged_in, "tasks", "list") == ["GET /tasks"]
    assert requests_of(logged_in, "tasks", "show", "1") == ["GET /tasks"]
    assert requests_of(logged_in, "tasks", "add", "two", "--due", "tomorrow") == ["POST /tasks"]


def test_import_sends_one_request_per_thousand_tasks(logged_in: Cli) -> None:
    lines = "".join(json.dumps({"title": f"t{n}"}) + "\n" for n in range(2001))

    made = requests_of(logged_in, "tasks", "import", "-", input=lines)

    assert made == ["POST /tasks/bulk"] * 3


def test_read_all_is_one_request_however_many_are_unread(logged_in: Cli) -> None:
    lines = "".join(
        json.dumps({"title": f"late {n}", "dueDate": "2020-01-01T00:00:00Z"}) + "\n"
        for n in range(120)
    )
    logged_in.ok("tasks", "import", "-", input=lines)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        unread = logged_in.ok("notifications", "list", "--unread", "--all", "--json").json()
        if len(unread) == 120:
            break
        time.sleep(0.5)
    assert len(unread) == 120

    made = requests_of(logged_in, "notifications", "read", "--all")

    assert made == ["POST /notifications/read"]
    assert logged_in.ok("notifications", "list", "--unread", "--json").json() == []


def test_a_list_with_projects_names_them_with_one_more_request(logged_in: Cli) -> None:
    logged_in.ok("projects", "add", "home")
    for n in range(3):
        logged_in.ok("tasks", "add", f"t{n}", "project:home", "+x")
    logged_in.ok("tasks", "add", "loose")

    assert requests_of(logged_in, "tasks", "list") == ["GET /tasks", "GET /projects"]
    assert requests_of(logged_in, "tasks", "list", "--no-project") == ["GET /tasks"]
    assert requests_of(logged_in, "tasks", "add", "t", "project:home") == [
        "GET /projects", "POST /tasks",
    ]  # fmt: skip


def test_done_with_a_filter_reads_every_page_then_sends_a_batch_per_thousand(
    logged_in: Cli,
) -> None:
    lines = "".join(json.dumps({"title": f"t{n}", "labels": ["many"]}) + "\n" for n in range(1001))
    logged_in.ok("tasks", "import", "-", input=lines)

    made = requests_of(logged_in, "tasks", "done", "+many", "--yes")

    assert made == ["GET /tasks"] * 11 + ["POST /tasks/batch"] * 2
    assert logged_in.ok("tasks", "list", "--json").json() == []
