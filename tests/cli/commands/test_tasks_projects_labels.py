"""Tasks in projects and with labels, end to end: quick add (`Pay rent project:home +bills
due:friday pri:high`), options, edit with `+label -label project:`, list filters and
columns (narrow terminals drop some), stats, and the errors."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.cli.conftest import assert_one_error_line, run_in_terminal

if TYPE_CHECKING:
    from typing import Any

    from tests.cli.conftest import Cli


def projects(cli: Cli, *paths: str) -> dict[str, str]:
    """Create the projects; their ids by name."""
    for path in paths:
        cli.ok("projects", "add", path)
    return {
        project["name"]: project["id"] for project in cli.ok("projects", "list", "--json").json()
    }


def show(cli: Cli, number: int) -> dict[str, Any]:
    task: dict[str, Any] = cli.ok("tasks", "show", str(number), "--json").json()
    return task


def test_quick_add_reads_project_labels_due_and_priority_from_the_title(logged_in: Cli) -> None:
    ids = projects(logged_in, "home")

    added = logged_in.ok(
        "tasks", "add", "Pay", "rent", "project:HOME", "+bills", "due:2030-06-01", "pri:h",
        "+Bills", TZ="UTC",
    )  # fmt: skip

    assert added.stdout == (
        "Added task #1: Pay rent, in home, +bills, due Sat 2030-06-01 23:59:59 (local)\n"
    )
    task = show(logged_in, 1)
    assert (task["title"], task["projectId"], task["labels"]) == (
        "Pay rent",
        ids["home"],
        ["bills"],
    )
    assert (task["priority"], task["dueDate"]) == ("HIGH", "2030-06-01T23:59:59Z")


def test_a_quoted_line_reads_the_same_as_words(logged_in: Cli) -> None:
    logged_in.ok("tasks", "add", "Call Ada +phone pri:low")

    task = show(logged_in, 1)

    assert (task["title"], task["labels"], task["priority"]) == ("Call Ada", ["phone"], "LOW")


def test_a_backslash_or_a_double_dash_keeps_plus_words_in_the_title(logged_in: Cli) -> None:
    logged_in.ok("tasks", "add", "Read", "\\+1", "about", "--", "+tags", "and", "due:dates")
    logged_in.ok("tasks", "add", "Lose", "-5", "kg")

    first, second = show(logged_in, 1), show(logged_in, 2)

    assert (first["title"], first["labels"], first["dueDate"]) == (
        "Read +1 about +tags and due:dates", [], None,
    )  # fmt: skip
    assert second["title"] == "Lose -5 kg"


def test_options_and_words_mix_and_real_options_keep_working(logged_in: Cli) -> None:
    ids = projects(logged_in, "work")

    task = logged_in.ok(
        "tasks", "add", "Write", "-p", "high", "report", "-P", "work", "-l", "urgent",
        "--label", "writing", "+urgent", "--due=2030-01-01", "--json",
    ).json()  # fmt: skip

    assert (task["title"], task["priority"], task["projectId"]) == (
        "Write report", "HIGH", ids["work"],
    )  # fmt: skip
    assert task["labels"] == ["urgent", "writing"]
    assert task["dueDate"] is not None


def test_add_refuses_what_it_cannot_do_in_one_line_and_creates_nothing(logged_in: Cli) -> None:
    assert_one_error_line(
        logged_in.run("tasks", "add", "x", "project:nope"), 4,
        "No project 'nope': create it with `taskflow projects add nope`",
    )  # fmt: skip
    assert_one_error_line(logged_in.run("tasks", "add", "x", "-later"), 2, "'-later'", "\\-later")
    assert_one_error_line(logged_in.run("tasks", "add", "x", "pri:urgent"), 2, "'pri:urgent'")
    assert_one_error_line(logged_in.run("tasks", "add", "x", "due:someday"), 2, "'due:someday'")
    assert_one_error_line(
        logged_in.run("tasks", "add", "x", "pri:low", "-p", "high"), 2, "priority is given twice"
    )
    assert_one_error_line(logged_in.run("tasks", "add", "x", "--colour", "red"), 2, "--colour")
    assert_one_error_line(logged_in.run("tasks", "add"), 2, "what to do?")
    too_many = [f"+l{n}" for n in range(51)]
    assert_one_error_line(logged_in.run("tasks", "add", "x", *too_many), 1, "labels")
    assert logged_in.ok("tasks", "list", "--json").json() == []


def test_edit_adds_and_removes_labels_from_those_the_task_has(logged_in: Cli) -> None:
    ids = projects(logged_in, "home", "work")
    logged_in.ok("tasks", "add", "Report", "project:home", "+later", "+Writing", "+keep")

    edited = logged_in.ok(
        "tasks", "edit", "1", "+urgent", "-later", "-writing", "+KEEP", "project:work"
    )

    assert edited.stdout == "Updated task #1: Report, in work, +keep +urgent\n"
    task = show(logged_in, 1)
    assert (task["labels"], task["projectId"]) == (["keep", "urgent"], ids["work"])
    logged_in.ok("tasks", "edit", "1", "--unlabel", "keep", "-l", "soon")
    assert show(logged_in, 1)["labels"] == ["urgent", "soon"]


def test_edit_words_clear_the_project_and_due_date_and_retitle(logged_in: Cli) -> None:
    projects(logged_in, "home")
    logged_in.ok("tasks", "add", "Draft", "project:home", "due:2030-01-01", "+x")

    logged_in.ok("tasks", "edit", "1", "project:", "due:", "Final", "version", "pri:high")

    task = show(logged_in, 1)
    assert (task["title"], task["projectId"], task["dueDate"]) == ("Final version", None, None)
    assert (task["priority"], task["labels"], task["version"]) == ("HIGH", ["x"], 2)
    same = logged_in.ok("tasks", "edit", "1", "+X", "-absent")
    assert same.stdout == "Task #1 already had those values; nothing changed.\n"
    logged_in.ok("tasks", "edit", "1", "--no-project", "--no-due")
    assert show(logged_in, 1)["version"] == 2


def test_edit_refusals_are_one_line(logged_in: Cli) -> None:
    logged_in.add_task("one")

    assert_one_error_line(logged_in.run("tasks", "edit", "1", "project:nope"), 4, "'nope'")
    assert_one_error_line(logged_in.run("tasks", "edit", "1", "+a", "-a"), 2, "'a'")
    assert_one_error_line(logged_in.run("tasks", "edit", "1", "New", "--title", "x"), 2, "twice")
    assert_one_error_line(
        logged_in.run("tasks", "edit", "1", "2027", "plan"), 2, "1 2027 are read as task numbers"
    )
    assert_one_error_line(logged_in.run("tasks", "edit", "1", "due:", "--due", "today"), 2)
    assert show(logged_in, 1)["version"] == 1


def test_list_filters_by_words_and_options(logged_in: Cli) -> None:
    projects(logged_in, "home", "home/garden", "work")
    logged_in.ok("tasks", "add", "Pay rent", "project:home", "+bills", "pri:high")
    logged_in.ok("tasks", "add", "Mow lawn", "project:garden", "+weekend", "+later")
    logged_in.ok("tasks", "add", "Report", "project:work", "+urgent")
    logged_in.ok("tasks", "add", "Loose end", "+later")
    logged_in.ok("tasks", "add", "Old bill", "project:home", "+bills", "status:done")

    def numbers(*args: str) -> list[int]:
        listed = logged_in.ok("tasks", "list", "--sort", "number", "--json", *args).json()
        return [task["number"] for task in listed]

    assert numbers("project:home") == [1, 2]
    assert numbers("project:home/garden") == [2]
    assert numbers("-P", "HOME", "+bills") == [1]
    assert numbers("project:") == numbers("--no-project") == [4]
    assert numbers("+later", "-weekend") == [4]
    assert numbers("-l", "later", "-l", "weekend") == [2]
    assert numbers("--any-label", "urgent", "--any-label", "bills") == [1, 3]
    assert numbers("pri:high") == [1]
    assert numbers("status:done") == [5]
    assert numbers("+bills", "--include-done") == [1, 5]
    assert numbers("rent") == numbers("--search", "RENT") == [1]
    assert numbers("2", "4", "#3") == [2, 3, 4]
    grouped = logged_in.ok("tasks", "list", "--sort", "project", "--json").json()
    assert [task["number"] for task in grouped][-1] == 4  # tasks in no project last


def test_list_filter_refusals_name_what_is_missing(logged_in: Cli) -> None:
    projects(logged_in, "home")
    logged_in.ok("tasks", "add", "x", "+bills")

    assert_one_error_line(logged_in.run("tasks", "list", "project:nope"), 4, "No project 'nope'")
    assert_one_error_line(logged_in.run("tasks", "list", "project:home/x"), 4, "'home/x'")
    assert_one_error_line(
        logged_in.run("tasks", "list", "+bills", "+nope", "-l", "gone"), 4,
        "No labels 'nope', 'gone'",
    )  # fmt: skip
    assert_one_error_line(logged_in.run("tasks", "list", "due:today"), 2, "due: is not a filter")
    assert_one_error_line(logged_in.run("tasks", "list", "x", "--search", "y"), 2, "not both")
    # A label to be without that does not exist keeps everything, as the API does.
    assert len(logged_in.ok("tasks", "list", "-nope", "--json").json()) == 1


def test_the_table_shows_project_paths_and_labels_only_when_tasks_have_them(
    logged_in: Cli,
) -> None:
    logged_in.ok("tasks", "add", "Plain")
    assert logged_in.ok("tasks", "list").stdout.splitlines()[0].split() == [
        "#", "Title", "Status", "Priority", "Due",
    ]  # fmt: skip
    projects(logged_in, "home", "home/garden")
    logged_in.ok("tasks", "add", "Mow", "project:garden", "+weekend", "+outside")

    lines = logged_in.ok("tasks", "list", "--sort", "number").stdout.splitlines()

    assert lines[0].split() == ["#", "Title", "Project", "Labels", "Status", "Priority", "Due"]
    assert lines[2].split() == ["2", "Mow", "home/garden", "weekend,", "outside", "pending",
                                "medium"]  # fmt: skip
    detail = logged_in.ok("tasks", "show", "2").stdout
    assert "Project      home/garden" in detail
    assert "Labels       weekend, outside" in detail


def test_a_narrow_terminal_drops_priority_status_labels_project_before_cutting_titles_short(
    logged_in: Cli,
) -> None:
    projects(logged_in, "household")
    logged_in.ok("tasks", "add", "Clean the gutters before the winter storms",
                 "project:household", "+outside", "+ladder", "due:2030-01-01")  # fmt: skip

    def shown(columns: int) -> tuple[list[str], str]:
        result = run_in_terminal(logged_in, "tasks", "list", COLUMNS=str(columns))
        assert result.code == 0, result.stdout
        header, row = result.stdout.splitlines()[:2]
        assert len(row) <= columns
        return header.split(), row

    wide = ["#", "Title", "Project", "Labels", "Status", "Priority", "Due"]
    assert shown(120)[0] == wide
    header, row = shown(76)
    assert header == ["#", "Title", "Project", "Labels", "Status", "Due"]
    assert "Clean the gutters be" in row
    assert "…" in row
    assert shown(66)[0] == ["#", "Title", "Project", "Labels", "Due"]
    assert shown(50)[0] == ["#", "Title", "Project", "Due"]
    assert shown(38)[0] == ["#", "Title", "Due"]


def test_stats_count_by_project_and_label(logged_in: Cli) -> None:
    projects(logged_in, "home", "home/garden")
    logged_in.ok("tasks", "add", "a", "project:home", "+bills")
    logged_in.ok("tasks", "add", "b", "project:garden", "+bills", "+later")
    logged_in.ok("tasks", "add", "c")

    stats = logged_in.ok("tasks", "stats", "--json").json()
    table = logged_in.ok("tasks", "stats").stdout

    assert [(item["name"], item["count"]) for item in stats["byProject"]] == [
        ("garden", 1), ("home", 1), (None, 1),
    ]  # fmt: skip
    assert stats["byLabel"] == [{"name": "bills", "count": 2}, {"name": "later", "count": 1}]
    sections = [section.splitlines() for section in table.split("\n\n")]
    assert [line.split() for line in sections[1]] == [
        ["Project", "Tasks"], ["garden", "1"], ["home", "1"], ["(no", "project)", "1"],
    ]  # fmt: skip
    assert [line.split() for line in sections[2]] == [
        ["Label", "Tasks"], ["bills", "2"], ["later", "1"],
    ]  # fmt: skip
