"""`taskflow tasks import FILE` end to end: JSON, JSON lines, CSV, stdin; errors by row."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from tests.cli.conftest import assert_one_error_line

if TYPE_CHECKING:
    from pathlib import Path

    from tests.cli.conftest import Cli


def every_task(cli: Cli) -> list[dict[str, object]]:
    listed = cli.ok("tasks", "list", "--include-done", "--all", "--sort", "number", "--json")
    tasks: list[dict[str, object]] = listed.json()
    return tasks


def test_a_json_array_is_created_in_file_order(logged_in: Cli, tmp_path: Path) -> None:
    file = tmp_path / "backlog.json"
    file.write_text(
        json.dumps(
            [
                {"title": "first", "priority": "HIGH", "dueDate": "2030-01-02T10:00:00Z"},
                {"title": "second", "status": "done", "description": "with words"},
                {"title": "third", "priority": "low", "dueDate": "2030-02-01"},
            ]
        )
    )

    result = logged_in.ok("tasks", "import", str(file))

    assert result.stdout.strip() == "Imported 3 tasks (#1-#3)."
    tasks = every_task(logged_in)
    assert [(t["number"], t["title"]) for t in tasks] == [(1, "first"), (2, "second"), (3, "third")]
    assert (tasks[0]["priority"], tasks[0]["dueDate"]) == ("HIGH", "2030-01-02T10:00:00Z")
    assert (tasks[1]["status"], tasks[1]["description"]) == ("COMPLETED", "with words")
    assert tasks[2]["priority"] == "LOW"
    assert str(tasks[2]["dueDate"]).startswith(("2030-02-01", "2030-02-02"))


def test_json_lines_and_csv_from_stdin_or_a_file(logged_in: Cli, tmp_path: Path) -> None:
    lines = '{"title": "from a line"}\n\n{"title": "another", "status": "IN_PROGRESS"}\n'
    assert logged_in.ok("tasks", "import", "-", input=lines).code == 0
    file = tmp_path / "more.csv"
    file.write_text('title,priority,description\n"Buy milk, oat",high,\nCall Ada,,"two\nlines"\n')

    logged_in.ok("tasks", "import", str(file))

    tasks = every_task(logged_in)
    assert [t["title"] for t in tasks] == ["from a line", "another", "Buy milk, oat", "Call Ada"]
    assert tasks[1]["status"] == "IN_PROGRESS"
    assert (tasks[2]["priority"], tasks[2]["description"]) == ("HIGH", None)
    assert tasks[3]["description"] == "two\nlines"


def test_an_export_imports_back_as_new_tasks(logged_in: Cli) -> None:
    logged_in.add_task("keep me", "--priority", "high", "--due", "2030-01-01 09:00")
    logged_in.add_task("me too", "--status", "done")
    exported = logged_in.ok("tasks", "list", "--include-done", "--sort", "number", "-o", "csv")

    logged_in.ok("tasks", "import", "-", "--format", "csv", input=exported.stdout)

    tasks = every_task(logged_in)
    assert [(t["number"], t["title"]) for t in tasks] == [
        (1, "keep me"), (2, "me too"), (3, "keep me"), (4, "me too"),
    ]  # fmt: skip
    assert (tasks[2]["priority"], tasks[2]["dueDate"]) == (
        tasks[0]["priority"],
        tasks[0]["dueDate"],
    )
    assert tasks[3]["status"] == "COMPLETED"


def test_a_refused_row_is_named_by_its_line_and_field_and_nothing_is_created(
    logged_in: Cli, tmp_path: Path
) -> None:
    file = tmp_path / "bad.jsonl"
    file.write_text('{"title": "fine"}\n{"title": "also fine"}\n\n{"title": "   "}\n')

    result = logged_in.run("tasks", "import", str(file))

    assert_one_error_line(result, 1, "line 4, title: must not be blank")
    assert every_task(logged_in) == []


def test_a_row_the_cli_cannot_read_is_refused_before_anything_is_sent(
    logged_in: Cli, tmp_path: Path
) -> None:
    file = tmp_path / "bad.csv"
    file.write_text("title,dueDate\nfine,tomorrow\nbad date,someday maybe\n")

    assert_one_error_line(logged_in.run("tasks", "import", str(file)), 2, "line 3, dueDate")
    assert_one_error_line(logged_in.run("tasks", "import", "-", input="[1, 2]"), 2, "item 1")
    assert_one_error_line(
        logged_in.run("tasks", "import", str(tmp_path / "missing.json")), 2, "cannot read"
    )
    assert every_task(logged_in) == []


def test_more_than_a_thousand_rows_go_in_requests_of_a_thousand(logged_in: Cli) -> None:
    lines = "".join(json.dumps({"title": f"task {n}"}) + "\n" for n in range(1, 1201))

    result = logged_in.ok("tasks", "import", "-", input=lines)

    assert result.stdout.strip() == "Imported 1200 tasks (#1-#1200)."
    assert logged_in.ok("tasks", "stats", "--json").json()["total"] == 1200
