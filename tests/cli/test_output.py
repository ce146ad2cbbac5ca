"""The output object: plain tables when piped, JSON and CSV as the API sent them."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from taskflow_cli.output import CSV, JSON, Cell, Output, TableData
from taskflow_cli.terminal import cell_width, render_table, truncate
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

    Output(JSON).json(value)

    assert json.loads(capsys.readouterr().out) == value


def test_csv_has_the_api_fields_and_empty_cells_for_null(
    capsys: pytest.CaptureFixture[str],
) -> None:
    Output(CSV).csv([task(1, "a, b")], ["number", "title", "dueDate"])

    assert capsys.readouterr().out.splitlines() == ["number,title,dueDate", '1,"a, b",']


def test_notes_and_warnings_go_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    out = Output()
    out.message("done")
    out.note("3 tasks.")
    out.warn("careful")

    captured = capsys.readouterr()
    assert captured.out == "done\n"
    assert captured.err == "3 tasks.\nWarning: careful\n"


@pytest.mark.parametrize(
    ("text", "cells"),
    [
        ("abc", 3),
        ("漢字", 4),
        ("ｱｲｳ", 3),  # half-width katakana
        ("café", 4),
        ("cafe\u0301", 4),  # e + combining acute
        ("👍", 2),
        ("👍🏽", 2),  # with a skin tone
        ("❤️", 2),  # a narrow character asking for its emoji form
        ("👨\u200d👩\u200d👧", 2),  # one family, three people joined
        ("🇫🇷", 2),  # a flag: two regional indicators
        ("a\u200bb", 2),  # zero-width space
    ],
)
def test_widths_are_counted_in_terminal_cells(text: str, cells: int) -> None:
    assert cell_width(text) == cells


def test_piped_columns_stay_aligned_with_wide_characters(
    capsys: pytest.CaptureFixture[str],
) -> None:
    tasks = [task(1, "漢字のタスク"), task(2, "plain"), task(3, "emoji 👍 here")]

    Output().table(task_table(tasks, NOW))

    lines = capsys.readouterr().out.splitlines()
    status_column = {cell_width(line[: line.index("pending")]) for line in lines[1:]}
    assert len(status_column) == 1  # "pending" starts in the same cell on every row


def test_on_a_narrow_terminal_the_title_is_cut_then_columns_are_dropped() -> None:
    long = "A title far too long to fit on one line of a narrow terminal window, " * 2
    tasks = [task(1, long, priority="HIGH", dueDate="2026-11-27T09:30:00Z"), task(22, "漢字")]

    wide = render_table(task_table(tasks, NOW), width=100, colour=False).splitlines()
    middle = render_table(task_table(tasks, NOW), width=48, colour=False).splitlines()
    narrow = render_table(task_table(tasks, NOW), width=30, colour=False).splitlines()

    assert max(cell_width(line) for line in wide) <= 100
    assert wide[0].split() == ["#", "Title", "Status", "Priority", "Due"]
    assert "…" in wide[1]
    assert max(cell_width(line) for line in middle) <= 48
    assert middle[0].split() == ["#", "Title", "Status", "Due"]  # priority goes first
    # Columns go before a title is cut below 20 cells (then it takes what is left).
    assert middle[1].split("  ")[1].startswith("A title far too long")
    assert max(cell_width(line) for line in narrow) <= 30
    assert narrow[0].split() == ["#", "Title", "Due"]
    assert narrow[1].split()[0] == "1"
    assert narrow[1].endswith("in 2 days")


def test_a_detail_table_wraps_long_text_instead_of_cutting_it() -> None:
    table = TableData(["Field", "Value"], show_header=False, flexible=1, wrap=True)
    table.add("Description", "word " * 30)

    lines = render_table(table, width=40, colour=False).splitlines()

    assert all(cell_width(line) <= 40 for line in lines)
    assert (
        " ".join(line[len("Description  ") :].strip() for line in lines) == ("word " * 30).strip()
    )


def test_colours_only_on_a_terminal_without_no_color() -> None:
    table = TableData(["A"])
    table.add(Cell("x", "bold red"))

    assert "\x1b[1;31mx" in render_table(table, width=80, colour=True)
    assert "\x1b[" not in render_table(table, width=80, colour=False)


def test_truncation_counts_cells_not_characters() -> None:
    assert truncate("漢字漢字漢字", 5) == "漢字…"
    assert cell_width(truncate("漢字漢字漢字", 5)) == 5
    assert truncate("short", 10) == "short"
