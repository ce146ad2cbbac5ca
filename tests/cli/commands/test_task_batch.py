"""`tasks done|start|rm|edit` with a filter instead of numbers: every open task it keeps, in
one batch; asking first when more than 3 match (rm: always), refusing without a terminal
unless --yes; numbers keep working as they did."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.cli.conftest import assert_one_error_line, run_in_terminal

if TYPE_CHECKING:
    from typing import Any

    from tests.cli.conftest import Cli


def add(cli: Cli, *lines: str) -> None:
    """One task per line of quick-add words (straight to the API would skip what the tests
    are not about; these are few)."""
    for line in lines:
        cli.ok("tasks", "add", *line.split())


def tasks(cli: Cli) -> dict[int, dict[str, Any]]:
    listed = cli.ok("tasks", "list", "--include-done", "--all", "--json").json()
    return {task["number"]: task for task in listed}


def test_done_with_a_filter_completes_the_few_open_tasks_it_keeps(logged_in: Cli) -> None:
    logged_in.ok("projects", "add", "home")
    add(logged_in, "Pay rent project:home +bills", "Pay gas project:home +bills",
        "Pay tax +bills", "Paid project:home +bills status:done")  # fmt: skip

    done = logged_in.ok("tasks", "done", "project:home", "+bills")

    assert done.stdout == "Completed #1, #2.\n"
    assert {n: task["status"] for n, task in tasks(logged_in).items()} == {
        1: "COMPLETED", 2: "COMPLETED", 3: "PENDING", 4: "COMPLETED",
    }  # fmt: skip
    started = logged_in.ok("tasks", "start", "tax", "--json").json()
    assert started["action"] == "update"
    assert started["succeeded"] == [tasks(logged_in)[3]["id"]]
    assert tasks(logged_in)[3]["status"] == "IN_PROGRESS"


def test_more_than_three_matches_need_yes_without_a_terminal(logged_in: Cli) -> None:
    add(logged_in, *(f"Chore {n} +chore" for n in range(4)), "Other")

    refused = logged_in.run("tasks", "done", "+chore")

    assert_one_error_line(refused, 2, "4 tasks match: pass --yes to complete them all")
    assert all(task["status"] == "PENDING" for task in tasks(logged_in).values())
    assert logged_in.ok("tasks", "done", "+chore", "--yes").stdout == "Completed #1, #2, #3, #4.\n"
    assert tasks(logged_in)[5]["status"] == "PENDING"


def test_more_than_three_matches_are_shown_and_asked_about_on_a_terminal(logged_in: Cli) -> None:
    add(logged_in, *(f"Chore {n} +chore" for n in range(12)))

    declined = run_in_terminal(logged_in, "tasks", "start", "+chore", typed="n\n")

    assert declined.code == 0
    assert "  #1  Chore 0" in declined.stdout
    assert "  #10  Chore 9" in declined.stdout
    assert "#11" not in declined.stdout
    assert "  … and 2 more" in declined.stdout
    assert "Start these 12 tasks? [y/N]" in declined.stdout
    assert "Nothing started." in declined.stdout
    assert all(task["status"] == "PENDING" for task in tasks(logged_in).values())

    accepted = run_in_terminal(logged_in, "tasks", "start", "+chore", typed="y\n")

    assert "Started 12 tasks: #1, #2, #3, #4, #5, #6, #7, #8, #9, #10 and 2 more." in (
        accepted.stdout
    )
    assert all(task["status"] == "IN_PROGRESS" for task in tasks(logged_in).values())


def test_rm_with_a_filter_always_asks_and_yes_deletes_them(logged_in: Cli) -> None:
    add(logged_in, "Junk +junk", "Keep")

    kept = run_in_terminal(logged_in, "tasks", "rm", "+junk", typed="n\n")
    assert "Delete this task?" in kept.stdout
    assert "Nothing deleted." in kept.stdout
    assert_one_error_line(logged_in.run("tasks", "rm", "+junk"), 2, "pass --yes")

    assert logged_in.ok("tasks", "rm", "+junk", "--yes").stdout == "Deleted #1.\n"

    assert list(tasks(logged_in)) == [2]


def test_a_filter_keeps_open_tasks_unless_told_otherwise(logged_in: Cli) -> None:
    add(logged_in, "Old +junk status:done", "New +junk")

    logged_in.ok("tasks", "rm", "+junk", "--yes")
    assert list(tasks(logged_in)) == [1]
    logged_in.ok("tasks", "rm", "+junk", "--include-done", "--yes")
    assert tasks(logged_in) == {}


def test_a_filter_that_keeps_nothing_changes_nothing_and_says_so(logged_in: Cli) -> None:
    add(logged_in, "Paid +bills status:done", "Other +home")

    assert_one_error_line(
        logged_in.run("tasks", "done", "+bills"), 4, "No open tasks match '+bills'; nothing changed"
    )
    assert_one_error_line(logged_in.run("tasks", "done", "+nope"), 4, "No label 'nope'")
    assert_one_error_line(logged_in.run("tasks", "done"), 2, "give task numbers or a filter")
    assert tasks(logged_in)[2]["status"] == "PENDING"


def test_edit_with_a_filter_changes_every_task_it_keeps_in_one_batch(logged_in: Cli) -> None:
    logged_in.ok("projects", "add", "home")
    logged_in.ok("projects", "add", "money")
    add(logged_in, "Rent project:home +bills +later", "Gas project:home +bills",
        "Tax +bills", "Walk project:home")  # fmt: skip

    result = logged_in.ok(
        "tasks", "edit", "project:home", "+bills", "--priority", "high", "-P", "money",
        "--label", "urgent", "--unlabel", "later", "--due", "2030-01-01",
    )  # fmt: skip

    assert result.stdout == "Updated #1, #2.\n"
    money = logged_in.ok("projects", "list", "--json").json()[1]
    assert money["name"] == "money"
    changed = tasks(logged_in)
    for number in (1, 2):
        assert changed[number]["priority"] == "HIGH"
        assert changed[number]["projectId"] == money["id"]
        assert changed[number]["labels"] == ["bills", "urgent"]
        assert changed[number]["dueDate"] is not None
    assert (changed[3]["priority"], changed[3]["labels"]) == ("MEDIUM", ["bills"])
    assert changed[4]["priority"] == "MEDIUM"
    logged_in.ok("tasks", "edit", "+urgent", "--no-project", "--no-due")
    assert [task["projectId"] for task in tasks(logged_in).values()][:2] == [None, None]


def test_edit_several_numbers_takes_change_words(logged_in: Cli) -> None:
    add(logged_in, "One +later", "Two", "Three")

    logged_in.ok("tasks", "edit", "1", "#2", "+urgent", "-later", "pri:low")

    changed = tasks(logged_in)
    assert [(changed[n]["labels"], changed[n]["priority"]) for n in (1, 2, 3)] == [
        (["urgent"], "LOW"), (["urgent"], "LOW"), ([], "MEDIUM"),
    ]  # fmt: skip


def test_edit_with_a_filter_refuses_a_title_and_needs_changes(logged_in: Cli) -> None:
    add(logged_in, "One +x", "Two +x")

    assert_one_error_line(
        logged_in.run("tasks", "edit", "+x", "--title", "Same"), 2, "not a filter"
    )
    assert_one_error_line(logged_in.run("tasks", "edit", "+x"), 2, "nothing to change")
    assert_one_error_line(logged_in.run("tasks", "edit", "1", "2"), 2, "nothing to change")
    assert_one_error_line(
        logged_in.run("tasks", "edit", "+x", "--project", "nope"), 4, "No project 'nope'"
    )
    assert all(task["version"] == 1 for task in tasks(logged_in).values())
