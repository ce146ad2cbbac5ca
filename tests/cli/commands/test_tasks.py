"""`taskflow tasks …` end to end: add, list with filters and formats, show, edit (with
If-Match conflicts), start, done, rm, stats."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from tests.cli.conftest import TASKFLOW, assert_one_error_line, run_in_terminal

if TYPE_CHECKING:
    from pathlib import Path

    from tests.cli.conftest import Cli


# Kolkata is UTC+5:30 all year: a date read or shown in UTC by mistake is visibly wrong.
ZONE = "Asia/Kolkata"


def exact_local(instant: str, zone: str = ZONE) -> str:
    """What the CLI says for a due date: `Fri 2026-12-11 17:00 (local)`, in `zone`."""
    local = datetime.fromisoformat(instant).astimezone(ZoneInfo(zone))
    shown = local.strftime("%a %Y-%m-%d %H:%M:%S" if local.second else "%a %Y-%m-%d %H:%M")
    return f"{shown} (local)"


def test_add_then_list_shows_the_task_with_a_human_due_date(logged_in: Cli) -> None:
    added = logged_in.ok(
        "tasks", "add", "Write the report", "--priority", "high", "--due", "in 3 days"
    )
    assert added.stdout.startswith("Added task #1: Write the report, due ")

    listed = logged_in.ok("tasks", "list")

    header, row = listed.stdout.splitlines()[:2]
    assert header.split() == ["#", "Title", "Status", "Priority", "Due"]
    assert row.split()[:6] == ["1", "Write", "the", "report", "pending", "high"]
    assert row.endswith("in 3 days")
    assert "1 open task." in listed.stderr


def test_add_echoes_the_exact_local_date_and_time_it_read(logged_in: Cli) -> None:
    for typed, expected_local in [
        ("2030-06-01 17:00", "Sat 2030-06-01 17:00 (local)"),
        ("2030-06-01", "Sat 2030-06-01 23:59:59 (local)"),
        ("2030-06-01T12:00:00Z", "Sat 2030-06-01 17:30 (local)"),
    ]:
        added = logged_in.ok("tasks", "add", "x", "--due", typed, "--json", TZ=ZONE).json()
        assert exact_local(added["dueDate"]) == expected_local
        echoed = logged_in.ok("tasks", "add", "x", "--due", typed, TZ=ZONE).stdout
        assert echoed.strip().endswith(f", due {expected_local}")


def test_in_two_hours_is_echoed_to_the_minute_not_rounded(logged_in: Cli) -> None:
    before = datetime.now(UTC)
    echoed = logged_in.ok("tasks", "add", "call back", "--due", "in 2 hours", TZ=ZONE).stdout
    after = datetime.now(UTC)

    [task] = logged_in.ok("tasks", "list", "--json").json()
    due = datetime.fromisoformat(task["dueDate"])
    assert before + timedelta(hours=2) <= due <= after + timedelta(hours=2)
    assert echoed.strip() == f"Added task #1: call back, due {exact_local(task['dueDate'])}"


def test_an_ambiguous_numeric_date_is_refused_unless_the_order_is_configured(
    logged_in: Cli,
) -> None:
    refused = logged_in.run("tasks", "add", "x", "--due", "03/04/2030")
    assert_one_error_line(refused, 2, "03/04/2030", "2030-04-03", "2030-03-04", "date_order")
    assert logged_in.ok("tasks", "list", "--json").json() == []
    unambiguous = logged_in.ok("tasks", "add", "x", "--due", "25/12/2030", "--json", TZ=ZONE)
    assert exact_local(unambiguous.json()["dueDate"]).startswith("Wed 2030-12-25")

    config = logged_in.home / "config" / "taskflow" / "config.toml"
    config.write_text(config.read_text() + 'date_order = "DMY"\n')
    day_first = logged_in.ok("tasks", "add", "x", "--due", "03/04/2030", "--json", TZ=ZONE)
    assert exact_local(day_first.json()["dueDate"]).startswith("Wed 2030-04-03")
    config.write_text(config.read_text().replace('"DMY"', '"MDY"'))
    month_first = logged_in.ok("tasks", "add", "x", "--due", "03/04/2030", "--json", TZ=ZONE)
    assert exact_local(month_first.json()["dueDate"]).startswith("Mon 2030-03-04")


def test_the_default_list_is_the_open_tasks_most_urgent_first(logged_in: Cli) -> None:
    logged_in.add_task("undated high", "--priority", "high")
    logged_in.add_task("done long ago", "--due", "2020-01-01", "--status", "done")
    logged_in.add_task("due later", "--due", "2031-01-01")
    logged_in.add_task("overdue", "--due", "2021-01-01", "--status", "in progress")
    logged_in.add_task("due soon low", "--due", "2030-01-01", "--priority", "low")
    logged_in.add_task("due soon high", "--due", "2030-01-01", "--priority", "high")

    def titles(*options: str) -> list[str]:
        return [task["title"] for task in logged_in.ok("tasks", "list", "--json", *options).json()]

    open_by_urgency = ["overdue", "due soon high", "due soon low", "due later", "undated high"]
    assert titles() == open_by_urgency
    table = logged_in.ok("tasks", "list").stdout.splitlines()
    assert [line.split()[0] for line in table[1:]] == ["4", "6", "5", "3", "1"]
    assert titles("--include-done") == ["done long ago", *open_by_urgency]
    # --sort due runs soonest first (ties by id: the two due 2030-01-01 either way round).
    by_due = titles("--sort", "due")
    assert (by_due[0], set(by_due[1:3]), by_due[3:]) == (
        "overdue", {"due soon high", "due soon low"}, ["due later", "undated high"]
    )  # fmt: skip
    assert titles("--sort", "due", "--include-done")[0] == "done long ago"
    assert titles("--sort", "due", "--order", "desc")[0] == "undated high"
    created = ["undated high", "due later", "overdue", "due soon low", "due soon high"]
    assert titles("--sort", "created") == list(reversed(created))


def test_json_output_is_exactly_the_api_objects(logged_in: Cli) -> None:
    task = logged_in.add_task("Buy milk", "--description", "2 litres", "--due", "2030-01-02")

    assert set(task) == {
        "id", "number", "title", "description", "status", "priority", "dueDate", "userId",
        "createdAt", "updatedAt", "completedAt", "version", "projectId", "labels",
    }  # fmt: skip
    assert task["dueDate"].endswith("Z")
    listed = logged_in.ok("tasks", "list", "--json").json()
    assert listed == [task]
    assert logged_in.ok("tasks", "show", str(task["number"]), "--json").json() == task


def test_csv_output_has_one_row_per_task_with_the_api_fields(logged_in: Cli) -> None:
    logged_in.add_task("First, with a comma")
    logged_in.add_task("Second")

    rows = list(csv.DictReader(io.StringIO(logged_in.ok("tasks", "list", "-o", "csv").stdout)))

    assert [row["title"] for row in rows] == ["First, with a comma", "Second"]
    assert rows[0]["status"] == "PENDING"
    assert rows[0]["dueDate"] == ""
    assert rows[0]["labels"] == "[]"


def test_filters_select_by_status_priority_search_due_and_overdue(logged_in: Cli) -> None:
    # Choices in any case: HIGH is how the API and its docs spell it.
    logged_in.add_task("Overdue bill", "--priority", "HIGH", "--due", "2020-01-01")
    logged_in.add_task("Plan holiday", "--priority", "low", "--due", "2099-06-01")
    logged_in.add_task("Read a book", "--status", "In-Progress")

    def titles(*options: str) -> list[str]:
        listed = logged_in.ok(
            "tasks", "list", "--json", "--sort", "title", "--order", "asc", *options
        )
        return [task["title"] for task in listed.json()]

    assert titles("--status", "in-progress") == ["Read a book"]
    assert titles("-s", "PENDING", "-s", "in progress") == [
        "Overdue bill",
        "Plan holiday",
        "Read a book",
    ]
    assert titles("--priority", "high", "--priority", "low") == ["Overdue bill", "Plan holiday"]
    assert titles("--search", "HOLIDAY") == ["Plan holiday"]
    assert titles("--overdue") == ["Overdue bill"]
    assert titles("--due-before", "today") == ["Overdue bill"]
    assert titles("--due-after", "2030-01-01") == ["Plan holiday"]


def test_overdue_tasks_say_how_late_they_are(logged_in: Cli) -> None:
    yesterday = (datetime.now(UTC) - timedelta(hours=3, minutes=10)).isoformat()
    logged_in.add_task("Late", "--due", yesterday)

    assert "3 h overdue" in logged_in.ok("tasks", "list").stdout


def test_every_spelling_of_a_status_that_the_table_shows_is_accepted_back(logged_in: Cli) -> None:
    logged_in.add_task("started", "--status", "in progress")
    logged_in.add_task("finished", "--status", "done")
    logged_in.add_task("waiting")
    shown = logged_in.ok("tasks", "list", "--include-done").stdout
    assert "in progress" in shown
    assert "done" in shown

    for spelling, expected in [
        ("done", "finished"), ("completed", "finished"), ("COMPLETED", "finished"),
        ("in progress", "started"), ("in-progress", "started"), ("IN_PROGRESS", "started"),
        ("In Progress", "started"), ("pending", "waiting"), ("PENDING", "waiting"),
    ]:  # fmt: skip
        listed = logged_in.ok("tasks", "list", "-s", spelling, "--json").json()
        assert [task["title"] for task in listed] == [expected], spelling


def test_sort_order_limit_and_page(logged_in: Cli) -> None:
    for title in ("b", "c", "a"):
        logged_in.add_task(title)

    def titles(*options: str) -> list[str]:
        return [task["title"] for task in logged_in.ok("tasks", "list", "--json", *options).json()]

    assert titles("--sort", "created") == ["a", "c", "b"]  # newest first
    assert titles("--sort", "title") == ["a", "b", "c"]  # A to Z
    assert titles("--sort", "title", "--order", "desc") == ["c", "b", "a"]
    assert titles("--sort", "number", "--order", "asc", "--limit", "2") == ["b", "c"]
    assert titles("--sort", "number", "--order", "asc", "--limit", "2", "--page", "2") == ["a"]
    footer = logged_in.ok("tasks", "list", "--limit", "2").stderr
    assert "Page 1 of 2 (3 open tasks). Next: --page 2, or --all for every page." in footer


def test_all_follows_the_cursors_past_one_page(logged_in: Cli) -> None:
    # Straight to the API: 105 CLI runs would be slow and test nothing more.
    token = logged_in.ok("auth", "token").stdout.strip()
    import httpx

    headers = {"Authorization": f"Bearer {token}"}
    for number in range(105):
        response = httpx.post(
            f"{logged_in.server.url}/tasks", json={"title": f"t{number}"}, headers=headers
        )
        assert response.status_code == 201

    everything = logged_in.ok("tasks", "list", "--all", "--json").json()

    assert len(everything) == 105
    assert len({task["id"] for task in everything}) == 105
    table = logged_in.ok("tasks", "list", "--all")
    assert len(table.stdout.splitlines()) == 106
    assert "105 open tasks." in table.stderr


def test_show_prints_the_details(logged_in: Cli) -> None:
    logged_in.add_task("Call Ada", "--description", "About the engine", "--due", "2030-05-01 17:00")

    shown = logged_in.ok("tasks", "show", "1").stdout

    assert "#1  Call Ada" in shown
    assert "About the engine" in shown
    assert "Wed 01 May 2030 17:00" in shown


def test_edit_changes_only_the_given_fields(logged_in: Cli) -> None:
    logged_in.add_task("Draft", "--description", "keep me", "--due", "2030-01-01")

    edited = logged_in.ok(
        "tasks", "edit", "1", "--title", "Final", "--priority", "high", "--json"
    ).json()

    assert (edited["title"], edited["priority"], edited["description"]) == (
        "Final",
        "HIGH",
        "keep me",
    )
    assert edited["version"] == 2
    cleared = logged_in.ok("tasks", "edit", "1", "--no-due", "--json").json()
    assert cleared["dueDate"] is None


def test_an_edit_to_the_values_a_task_already_has_changes_nothing(logged_in: Cli) -> None:
    logged_in.add_task("Same", "--priority", "high")

    result = logged_in.ok("tasks", "edit", "1", "--title", "Same", "--priority", "high")

    assert result.stdout.strip() == "Task #1 already had those values; nothing changed."
    assert logged_in.ok("tasks", "show", "1", "--json").json()["version"] == 1


def test_an_edit_that_raced_a_change_to_another_field_keeps_both(
    logged_in: Cli, tmp_path: Path
) -> None:
    logged_in.add_task("Original", "--priority", "low")
    editor = tmp_path / "editor.sh"
    editor.write_text(
        "#!/bin/sh\n"
        f"{TASKFLOW} tasks edit 1 --priority high >/dev/null\n"
        "sed -i 's/^title: .*/title: Mine/' \"$1\"\n"
    )
    editor.chmod(0o755)

    result = run_in_terminal(logged_in, "tasks", "edit", "1", EDITOR=str(editor))

    assert result.code == 0, result.stdout
    assert "changed on the server meanwhile; your changes go on top" in result.stdout
    task = logged_in.ok("tasks", "show", "1", "--json").json()
    assert (task["title"], task["priority"]) == ("Mine", "HIGH")


def test_edit_in_the_editor_applies_what_was_changed(logged_in: Cli, tmp_path: Path) -> None:
    logged_in.add_task("Draft", "--priority", "low")
    editor = tmp_path / "editor.sh"
    editor.write_text(
        "#!/bin/sh\n"
        "sed -i -e 's/^title: .*/title: Polished/' -e 's/^priority: .*/priority: high/' "
        "-e 's/^due: .*/due: 2030-02-03 09:30/' \"$1\"\n"
        "echo 'A longer description' >> \"$1\"\n"
    )
    editor.chmod(0o755)

    result = run_in_terminal(logged_in, "tasks", "edit", "1", EDITOR=str(editor))

    assert result.code == 0, result.stdout
    task = logged_in.ok("tasks", "show", "1", "--json").json()
    assert (task["title"], task["priority"]) == ("Polished", "HIGH")
    assert task["description"] == "A longer description"
    assert task["dueDate"] == _utc("2030-02-03T09:30:00")


def test_edit_conflict_shows_the_server_change_and_asks_before_overwriting(
    logged_in: Cli, tmp_path: Path
) -> None:
    logged_in.add_task("Original")
    editor = tmp_path / "editor.sh"
    # While the person edits, someone else renames the task.
    editor.write_text(
        "#!/bin/sh\n"
        f"{TASKFLOW} tasks edit 1 --title Theirs >/dev/null\n"
        "sed -i 's/^title: .*/title: Mine/' \"$1\"\n"
    )
    editor.chmod(0o755)

    declined = run_in_terminal(logged_in, "tasks", "edit", "1", typed="n\n", EDITOR=str(editor))

    assert declined.code == 1
    assert "Task #1 changed on the server since you read it" in declined.stdout
    [row] = [line for line in declined.stdout.splitlines() if line.startswith("Title ")]
    assert row.split() == ["Title", "Original", "Theirs", "Mine"]
    assert "Overwrite theirs with yours?" in declined.stdout
    assert logged_in.ok("tasks", "show", "1", "--json").json()["title"] == "Theirs"

    accepted = run_in_terminal(logged_in, "tasks", "edit", "1", typed="y\n", EDITOR=str(editor))

    assert accepted.code == 0, accepted.stdout
    assert logged_in.ok("tasks", "show", "1", "--json").json()["title"] == "Mine"


def test_start_done_and_rm_work_on_several_numbers(logged_in: Cli) -> None:
    for title in ("one", "two", "three"):
        logged_in.add_task(title)

    assert "Started #1, #2." in logged_in.ok("tasks", "start", "1", "2").stdout
    assert "Completed #2, #3." in logged_in.ok("tasks", "done", "#2", "3").stdout
    listed = logged_in.ok("tasks", "list", "--include-done", "--json").json()
    statuses = {t["number"]: t["status"] for t in listed}
    assert statuses == {1: "IN_PROGRESS", 2: "COMPLETED", 3: "COMPLETED"}

    assert "Deleted #1, #3." in logged_in.ok("tasks", "rm", "1", "3", "--yes").stdout
    listed = logged_in.ok("tasks", "list", "--include-done", "--json").json()
    assert [t["number"] for t in listed] == [2]


def test_batch_json_is_the_batch_result(logged_in: Cli) -> None:
    task = logged_in.add_task("one")

    result = logged_in.ok("tasks", "done", "1", "--json").json()

    assert result == {"action": "complete", "processed": 1, "succeeded": [task["id"]], "failed": []}


def test_a_missing_number_changes_nothing(logged_in: Cli) -> None:
    logged_in.add_task("one")

    result = logged_in.run("tasks", "done", "1", "7", "9")

    assert_one_error_line(result, 4, "Tasks #7, #9 not found")
    assert logged_in.ok("tasks", "show", "1", "--json").json()["status"] == "PENDING"


def test_rm_without_a_terminal_requires_yes(logged_in: Cli) -> None:
    logged_in.add_task("keep me")

    assert_one_error_line(logged_in.run("tasks", "rm", "1"), 2, "pass --yes")
    assert len(logged_in.ok("tasks", "list", "--json").json()) == 1


def test_rm_asks_on_a_terminal(logged_in: Cli) -> None:
    logged_in.add_task("maybe")

    kept = run_in_terminal(logged_in, "tasks", "rm", "1", typed="n\n")
    assert kept.code == 0
    assert "Delete this task?" in kept.stdout
    assert "Nothing deleted." in kept.stdout
    assert len(logged_in.ok("tasks", "list", "--json").json()) == 1

    removed = run_in_terminal(logged_in, "tasks", "rm", "1", typed="y\n")
    assert "Deleted #1." in removed.stdout
    assert logged_in.ok("tasks", "list", "--json").json() == []


def test_stats_count_by_status_priority_and_overdue(logged_in: Cli) -> None:
    logged_in.add_task("late", "--due", "2020-01-01", "--priority", "high")
    logged_in.add_task("done", "--status", "completed")

    stats = logged_in.ok("tasks", "stats", "--json").json()

    assert stats == {
        "total": 2,
        "byStatus": {"PENDING": 1, "IN_PROGRESS": 0, "COMPLETED": 1},
        "byPriority": {"LOW": 0, "MEDIUM": 1, "HIGH": 1},
        "overdue": 1,
        "byProject": [{"projectId": None, "name": None, "count": 2}],
        "byLabel": [],
    }
    table = logged_in.ok("tasks", "stats").stdout
    assert "overdue" in table
    assert "total" in table


def test_tasks_of_another_user_are_not_found(logged_in: Cli, cli_of_someone_else: Cli) -> None:
    cli_of_someone_else.add_task("private")

    assert_one_error_line(logged_in.run("tasks", "show", "1"), 4, "Task #1 not found")


def test_bad_input_is_one_line_with_a_usage_exit_code(logged_in: Cli) -> None:
    assert_one_error_line(
        logged_in.run("tasks", "list", "--status", "sleeping"),
        2,
        "'sleeping' is not a status: use pending, in-progress, done",
    )
    assert_one_error_line(
        logged_in.run("tasks", "add", "x", "--due", "someday maybe"),
        2,
        "cannot read 'someday maybe'",
        "tomorrow 17:00",
    )
    assert_one_error_line(logged_in.run("tasks", "show"), 2, "required: number")
    assert_one_error_line(logged_in.run("tasks", "show", "x"), 2, "'x' is not a task number")
    assert_one_error_line(
        logged_in.run("tasks", "lst"), 2, "No such command 'lst'. Did you mean 'list'?"
    )
    assert_one_error_line(logged_in.run("tasks", "edit", "1"), 2, "nothing to change")
    assert_one_error_line(logged_in.run("tasks", "add", " "), 1, "title")


def _utc(local_naive: str) -> str:
    instant = datetime.fromisoformat(local_naive).astimezone(UTC)
    return instant.isoformat().replace("+00:00", "Z")
