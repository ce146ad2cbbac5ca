"""The output object: plain tables when piped, JSON and CSV as the API sent them."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from taskflow_cli.output import Cell, Format, Output, TableData
from taskflow_cli.views import task_table

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


def task(number: int, title: str, **fields: object) -> dict[str, object]:
    return {
        "id": f"id-{number}", "number": number, "title": title, "description": None,
        "status": "PENDING", "priority": "MEDIUM", "dueDate": None, "userId": "u",
        "createdAt": "2026-11-01T00:00:00Z", "updatedAt": "2026-11-01T00:00:00Z",
        "completedAt": None, "version": 1,
    } | fields  # fmt: skip


def test_piped_tables_are_plain_aligned_columns_without_colour(
    capsys: pytest.CaptureFixture[str],
) -> None:
    tasks = [
        task(12, "A rather long title that would wrap at eighty columns in a Rich table "
             "drawn for a pipe", priority="HIGH", dueDate="2026-11-25T06:30:00Z"),
        task(3, "Short", status="COMPLETED", dueDate="2026-11-27T09:30:00Z"),
    ]  # fmt: skip

    Output().table(task_table(tasks, NOW))

    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["#", "Title", "Status", "Priority", "Due"]
    assert lines[1].startswith("12  A rather long title")
    assert lines[1].endswith("3 h overdue")
    assert lines[2].startswith(" 3  Short")
    assert lines[2].endswith("in 2 days")
    assert "\x1b[" not in "".join(lines)


def test_multi_line_cells_continue_under_their_column(capsys: pytest.CaptureFixture[str]) -> None:
    table = TableData(["Field", "Value"], show_header=False)
    table.add("Description", Cell("first\nsecond"))
    table.add("Id", "x")

    Output().table(table)

    assert capsys.readouterr().out == "Description  first\n             second\nId           x\n"


def test_json_is_the_value_unchanged(capsys: pytest.CaptureFixture[str]) -> None:
    value = [task(1, "Ünïcode ✓")]

    Output(Format.JSON).json(value)

    assert json.loads(capsys.readouterr().out) == value


def test_csv_has_the_api_fields_and_empty_cells_for_null(
    capsys: pytest.CaptureFixture[str],
) -> None:
    Output(Format.CSV).csv([task(1, "a, b")], ["number", "title", "dueDate"])

    assert capsys.readouterr().out.splitlines() == ["number,title,dueDate", '1,"a, b",']


def test_notes_and_warnings_go_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    out = Output()
    out.message("done")
    out.note("3 tasks.")
    out.warn("careful")

    captured = capsys.readouterr()
    assert captured.out == "done\n"
    assert captured.err == "3 tasks.\nWarning: careful\n"
