"""The dashboard's pure parts: column fitting, filter cycles, parsing, settings, wording."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from taskflow_cli.errors import BadUsage, SessionExpired
from taskflow_cli.tui.columns import fit_columns
from taskflow_cli.tui.failures import explain, lost_session_reason
from taskflow_cli.tui.models import Stats, Task, TaskPage
from taskflow_cli.tui.options import DEFAULT_REFRESH, refresh_from_env
from taskflow_cli.tui.query import PAGE_SIZE, PRIORITY_CHOICES, SORTS, STATUS_CHOICES, TaskFilters
from taskflow_cli.tui.text import ago, due_label, form_due
from taskflow_core.domain.errors import FieldError, InvalidInput

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def task_json(**overrides: object) -> dict[str, object]:
    return {
        "id": "t-1",
        "number": 7,
        "title": "A task",
        "description": None,
        "status": "PENDING",
        "priority": "MEDIUM",
        "dueDate": None,
        "userId": "u-1",
        "createdAt": "2026-11-20T08:00:00Z",
        "updatedAt": "2026-11-21T08:00:00Z",
        "completedAt": None,
        "version": 3,
    } | overrides


def keys(width: int) -> list[str]:
    return [column.key for column in fit_columns(width)]


def test_an_80_column_table_shows_everything_but_the_update_time() -> None:
    columns = fit_columns(77)

    assert [column.key for column in columns] == ["number", "title", "status", "priority", "due"]
    assert sum(column.width + 2 for column in columns) == 77


def test_columns_hide_least_useful_first_as_the_width_shrinks() -> None:
    assert keys(160) == [
        "number", "title", "status", "priority", "due", "project", "labels", "updated"
    ]  # fmt: skip
    assert keys(117) == ["number", "title", "status", "priority", "due", "project", "labels"]
    assert keys(100) == ["number", "title", "status", "priority", "due", "labels"]
    assert keys(62) == ["number", "title", "status", "due"]
    assert keys(45) == ["number", "title", "due"]
    assert keys(20) == ["number", "title"]


def test_the_number_column_grows_with_the_largest_number() -> None:
    assert fit_columns(77, number_width=6)[0].width == 6


def test_each_filter_key_cycles_through_its_choices_and_wraps() -> None:
    filters = TaskFilters()
    seen = [filters.status.label]
    for _ in STATUS_CHOICES:
        filters = filters.next_status()
        seen.append(filters.status.label)

    assert seen == ["all", "open", "pending", "in progress", "done", "all"]
    assert TaskFilters().next_priority().priority == PRIORITY_CHOICES[1]
    assert TaskFilters().next_sort().sort == SORTS[1]


def test_filters_become_the_list_query() -> None:
    filters = TaskFilters(search="  milk ").next_status().next_sort()

    assert filters.params(page=3) == {
        "status": ["PENDING", "IN_PROGRESS"],
        "priority": [],
        "search": "milk",
        "project": None,
        "noProject": None,
        "label": [],
        "notLabel": [],
        "sort": "dueDate",
        "order": "asc",
        "page": 3,
        "limit": PAGE_SIZE,
    }
    assert TaskFilters(search="   ").params(page=1)["search"] is None


def test_a_task_is_parsed_once_with_its_times() -> None:
    task = Task.from_json(task_json(dueDate="2026-11-24T10:00:00Z", description="words"))

    assert task.number == 7
    assert task.description == "words"
    assert task.due == datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    assert task.overdue(NOW)
    assert not Task.from_json(
        task_json(status="COMPLETED", dueDate="2026-11-24T10:00:00Z")
    ).overdue(NOW)
    assert Task.from_json(task_json()).description == ""


def test_a_page_knows_where_it_starts() -> None:
    body = {
        "data": [task_json()],
        "meta": {"total": 51, "page": 2, "limit": 50, "totalPages": 2},
    }
    page = TaskPage.from_json(body)

    assert (page.first_index, page.pages, page.total) == (51, 2, 51)


def test_stats_read_the_counts_by_status() -> None:
    body = {
        "total": 6,
        "byStatus": {"PENDING": 3, "IN_PROGRESS": 2, "COMPLETED": 1},
        "byPriority": {"LOW": 2, "MEDIUM": 2, "HIGH": 2},
        "overdue": 1,
    }

    assert Stats.from_json(body, unread=4) == Stats(6, 3, 2, 1, 1, 4)


def test_due_dates_read_relative_to_now() -> None:
    soon = Task.from_json(task_json(dueDate="2026-11-24T15:00:00Z"))
    late = Task.from_json(task_json(dueDate="2026-11-22T12:00:00Z"))
    done = Task.from_json(task_json(dueDate="2026-11-22T12:00:00Z", status="COMPLETED"))

    assert due_label(soon, NOW) == "in 3 h"
    assert due_label(late, NOW) == "2 days overdue"
    assert due_label(done, NOW) == "2 days ago"
    assert due_label(Task.from_json(task_json()), NOW) == ""
    assert ago(NOW - timedelta(seconds=20), NOW) == "just now"
    assert ago(NOW - timedelta(minutes=5), NOW) == "5 min ago"


def test_the_form_shows_a_due_date_in_local_time(monkeypatch: pytest.MonkeyPatch) -> None:
    assert form_due(datetime(2026, 11, 24, 17, 0, tzinfo=UTC)) == "2026-11-24 17:00"
    assert form_due(None) == ""


def test_the_refresh_period_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert refresh_from_env() == DEFAULT_REFRESH
    monkeypatch.setenv("TASKFLOW_TUI_REFRESH", "2.5")
    assert refresh_from_env() == 2.5
    monkeypatch.setenv("TASKFLOW_TUI_REFRESH", "0")
    assert refresh_from_env() == 0
    for bad in ("soon", "-1", "nan"):
        monkeypatch.setenv("TASKFLOW_TUI_REFRESH", bad)
        with pytest.raises(BadUsage, match="TASKFLOW_TUI_REFRESH"):
            refresh_from_env()


def test_failures_read_as_one_line() -> None:
    invalid = InvalidInput(errors=[FieldError("title", "must not be blank")])

    assert explain(invalid) == "Validation failed: title: must not be blank"
    assert explain(KeyError("x")).startswith("Unexpected error (KeyError)")
    expired = SessionExpired(
        "Your session on http://x has expired or was revoked; run `taskflow login` to log in again"
    )
    assert lost_session_reason(expired) == (
        "Your session on http://x has expired or was revoked; please log in again."
    )


def test_the_readme_key_table_lists_every_dashboard_key() -> None:
    from pathlib import Path

    from taskflow_cli.tui.keys import DASHBOARD_KEYS

    readme = Path(__file__).parents[2] / "README.md"
    section = readme.read_text(encoding="utf-8").split("## The TUI", 1)[1].split("\n## ", 1)[0]
    for key in DASHBOARD_KEYS:
        keys = " / ".join(f"`{part}`" for part in key.display.split(" / "))
        assert f"| {keys} | {key.help} |" in section


def test_a_sorted_column_makes_room_for_its_arrow() -> None:
    columns = {column.key: column for column in fit_columns(77, arrow_on="priority")}

    assert columns["priority"].width == len("Priority ▼")
    assert sum(column.width + 2 for column in columns.values()) == 77
