"""`taskflow labels …` end to end: created by tasks, listed with counts, renamed, recoloured
and deleted (asking first; the tasks stay)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.cli.conftest import assert_one_error_line, run_in_terminal

if TYPE_CHECKING:
    from tests.cli.conftest import Cli


def test_labels_come_from_tasks_and_list_with_open_and_overdue_counts(logged_in: Cli) -> None:
    assert logged_in.ok("labels", "list").stdout == ""
    logged_in.ok("tasks", "add", "Pay rent", "+bills", "+Home", "--due", "2020-01-01")
    logged_in.ok("tasks", "add", "Pay gas", "+BILLS")
    logged_in.ok("tasks", "add", "Paid", "+bills", "status:done")

    table = logged_in.ok("labels", "list").stdout.splitlines()

    assert [line.split() for line in table] == [
        ["Label", "Open", "Overdue"], ["bills", "2", "1"], ["Home", "1", "1"],
    ]  # fmt: skip
    listed = logged_in.ok("labels", "list", "--json").json()
    assert [(label["name"], label["openTasks"]) for label in listed] == [("bills", 2), ("Home", 1)]


def test_rename_and_colour_reach_every_task_that_carries_the_label(logged_in: Cli) -> None:
    logged_in.ok("tasks", "add", "Pay rent", "+bills")

    assert logged_in.ok("labels", "rename", "BILLS", "money").stdout == (
        "Renamed label bills to money.\n"
    )
    assert logged_in.ok("tasks", "show", "1", "--json").json()["labels"] == ["money"]
    assert logged_in.ok("labels", "colour", "money", "#FF0000").stdout == (
        "Label money: colour #ff0000.\n"
    )
    assert logged_in.ok("labels", "list").stdout.splitlines()[1].split() == [
        "money", "1", "0", "#ff0000",
    ]  # fmt: skip
    assert logged_in.ok("labels", "colour", "money", "none", "--json").json()["colour"] is None


def test_rm_asks_first_and_the_tasks_stay_without_the_label(logged_in: Cli) -> None:
    logged_in.ok("tasks", "add", "Pay rent", "+bills", "+home")
    logged_in.ok("tasks", "add", "Paid", "+bills", "status:done")

    kept = run_in_terminal(logged_in, "labels", "rm", "bills", typed="n\n")

    assert "It is on 2 tasks (done ones included); they stay, without it." in kept.stdout
    assert "Delete label bills? [y/N]" in kept.stdout
    assert "Nothing deleted." in kept.stdout
    assert_one_error_line(logged_in.run("labels", "rm", "bills"), 2, "pass --yes")

    assert logged_in.ok("labels", "rm", "bills", "--yes").stdout == "Deleted label bills.\n"

    assert [label["name"] for label in logged_in.ok("labels", "list", "--json").json()] == ["home"]
    tasks = logged_in.ok("tasks", "list", "--include-done", "--json").json()
    assert sorted((task["title"], tuple(task["labels"])) for task in tasks) == [
        ("Paid", ()), ("Pay rent", ("home",)),
    ]  # fmt: skip


def test_label_errors_are_one_line(logged_in: Cli) -> None:
    logged_in.ok("tasks", "add", "x", "+bills", "+home")

    assert_one_error_line(logged_in.run("labels", "rename", "nope", "x"), 4, "No label 'nope'")
    assert_one_error_line(logged_in.run("labels", "rename", "bills", "HOME"), 1, "name")
    assert_one_error_line(logged_in.run("labels", "colour", "bills", "red"), 1, "colour")
    assert_one_error_line(logged_in.run("labels", "rm", "nope", "--yes"), 4, "No label 'nope'")
