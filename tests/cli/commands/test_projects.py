"""`taskflow projects …` end to end: a tree with counts, names in any case and paths, rename,
move, colour, archive, rm (asking first; the tasks stay), and the errors."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.cli.conftest import assert_one_error_line, run_in_terminal

if TYPE_CHECKING:
    from tests.cli.conftest import Cli


def rows(cli: Cli, *args: str) -> list[list[str]]:
    """The table's rows, each split at runs of two spaces or more (names keep their
    indentation as a leading cell of spaces)."""
    import re

    lines = cli.ok(*args).stdout.splitlines()
    return [re.split(r"(?<=\S) {2,}", line.rstrip()) for line in lines]


def test_projects_list_as_a_tree_with_open_and_overdue_counts(logged_in: Cli) -> None:
    logged_in.ok("projects", "add", "home")
    assert logged_in.ok("projects", "add", "home/garden").stdout == "Created project home/garden.\n"
    logged_in.ok("projects", "add", "Shed", "--parent", "GARDEN")
    logged_in.ok("projects", "add", "work", "--colour", "#3366FF")
    logged_in.ok("tasks", "add", "Mow", "project:garden", "--due", "2020-01-01")
    logged_in.ok("tasks", "add", "Rake", "project:home/garden")
    logged_in.ok("tasks", "add", "Done already", "project:garden", "status:done")

    table = rows(logged_in, "projects", "list")

    assert table == [
        ["Project", "Open", "Overdue", "Colour"],
        ["home", "0", "0"],
        ["  garden", "2", "1"],
        ["    Shed", "0", "0"],
        ["work", "0", "0", "#3366ff"],
    ]
    listed = logged_in.ok("projects", "list", "--json").json()
    assert [project["name"] for project in listed] == ["garden", "home", "Shed", "work"]
    by_name = {project["name"]: project for project in listed}
    assert by_name["Shed"]["parentId"] == by_name["garden"]["id"]
    assert (by_name["garden"]["openTasks"], by_name["garden"]["overdueTasks"]) == (2, 1)


def test_rename_move_and_colour_find_a_project_by_name_in_any_case_or_by_path(
    logged_in: Cli,
) -> None:
    for path in ("home", "home/garden", "work"):
        logged_in.ok("projects", "add", path)

    assert logged_in.ok("projects", "rename", "HOME/Garden", "Yard").stdout == (
        "Renamed home/garden to home/Yard.\n"
    )
    assert logged_in.ok("projects", "move", "yard", "--parent", "Work").stdout == (
        "Moved home/Yard to work/Yard.\n"
    )
    assert logged_in.ok("projects", "move", "yard", "--top").stdout == "Moved work/Yard to Yard.\n"
    logged_in.ok("projects", "colour", "yard", "#00AA00")
    assert logged_in.ok("projects", "colour", "yard", "none", "--json").json()["colour"] is None
    assert rows(logged_in, "projects", "list")[1:] == [["home", "0", "0"], ["work", "0", "0"],
                                                        ["Yard", "0", "0"]]  # fmt: skip


def test_archive_hides_a_project_and_its_tasks_until_unarchived(logged_in: Cli) -> None:
    logged_in.ok("projects", "add", "old")
    logged_in.ok("tasks", "add", "Forgotten", "project:old")
    logged_in.ok("tasks", "add", "Visible")

    archived = logged_in.ok("projects", "archive", "OLD")

    assert "Archived old; `taskflow projects unarchive old` brings it back." in archived.stdout
    assert rows(logged_in, "projects", "list") == []
    assert rows(logged_in, "projects", "list", "--archived")[1] == ["old (archived)", "1", "0"]
    titles = [task["title"] for task in logged_in.ok("tasks", "list", "--json").json()]
    assert titles == ["Visible"]
    by_project = logged_in.ok("tasks", "list", "project:old", "--json").json()
    assert [task["title"] for task in by_project] == ["Forgotten"]

    logged_in.ok("projects", "unarchive", "old")

    assert len(logged_in.ok("tasks", "list", "--json").json()) == 2


def test_rm_says_how_many_tasks_stay_and_asks_first(logged_in: Cli) -> None:
    logged_in.ok("projects", "add", "home")
    logged_in.ok("projects", "add", "home/garden")
    logged_in.ok("tasks", "add", "Mow", "project:garden")
    logged_in.ok("tasks", "add", "Paid", "project:home", "status:done")

    kept = run_in_terminal(logged_in, "projects", "rm", "home", typed="n\n")

    assert kept.code == 0
    assert "Its 2 tasks (done ones included): they stay, in no project." in kept.stdout
    assert "Delete project home and the 1 project inside it? [y/N]" in kept.stdout
    assert "Nothing deleted." in kept.stdout
    assert len(logged_in.ok("projects", "list", "--json").json()) == 2

    removed = run_in_terminal(logged_in, "projects", "rm", "home", typed="y\n")

    assert "Deleted project home." in removed.stdout
    assert logged_in.ok("projects", "list", "--json").json() == []
    tasks = logged_in.ok("tasks", "list", "--include-done", "--json").json()
    assert sorted((task["title"], task["projectId"]) for task in tasks) == [
        ("Mow", None), ("Paid", None),
    ]  # fmt: skip


def test_rm_without_a_terminal_needs_yes(logged_in: Cli) -> None:
    logged_in.ok("projects", "add", "home")

    assert_one_error_line(logged_in.run("projects", "rm", "home"), 2, "pass --yes")
    assert logged_in.ok("projects", "rm", "home", "--yes").stdout == "Deleted project home.\n"
    assert logged_in.ok("projects", "list", "--json").json() == []


def test_project_errors_are_one_line(logged_in: Cli) -> None:
    logged_in.ok("projects", "add", "home")
    logged_in.ok("projects", "add", "home/garden")

    assert_one_error_line(
        logged_in.run("projects", "rename", "nope", "x"), 4,
        "No project 'nope': create it with `taskflow projects add nope`",
    )  # fmt: skip
    assert_one_error_line(logged_in.run("projects", "add", "x", "--parent", "nope"), 4, "'nope'")
    assert_one_error_line(logged_in.run("projects", "add", "HOME"), 1, "name")
    assert_one_error_line(
        logged_in.run("projects", "move", "home", "--parent", "garden"), 1, "parentId"
    )
    assert_one_error_line(logged_in.run("projects", "colour", "home", "blue"), 1, "colour")
    assert_one_error_line(logged_in.run("projects", "move", "home"), 2, "--parent", "--top")
    assert_one_error_line(logged_in.run("projects", "add", "a/b/c/d/e"), 4, "'a/b/c/d'")
