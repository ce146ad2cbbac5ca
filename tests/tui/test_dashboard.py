"""The dashboard against a real server: acting on tasks with single keys, filters, search,
paging, counts, live refresh, and a session that ends."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from textual.widgets import DataTable, Input, Label, OptionList

from taskflow_cli.tui.screens.confirm import ConfirmModal
from taskflow_cli.tui.screens.conflict import ConflictModal
from taskflow_cli.tui.screens.dashboard import DashboardScreen
from taskflow_cli.tui.screens.help import HelpModal
from taskflow_cli.tui.screens.login import LoginScreen
from taskflow_cli.tui.screens.notifications import NotificationsModal
from taskflow_cli.tui.widgets.filter_bar import FilterBar
from taskflow_cli.tui.widgets.task_detail import TaskDetail
from taskflow_cli.tui.widgets.task_table import TaskTable
from tests.tui.conftest import log_in_as, make_app, settle, toasts

if TYPE_CHECKING:
    from textual.app import App
    from textual.widget import Widget

    from tests.tui.conftest import LiveServer, Person

pytestmark = pytest.mark.anyio


def text_of(widget: Widget) -> str:
    return str(widget.visual) if isinstance(widget, Label) else str(widget.render())


def table(app: App[Any]) -> TaskTable:
    return app.screen.query_one(TaskTable)


def titles(app: App[Any]) -> list[str]:
    return [task.title for task in table(app).tasks]


def stats_line(app: App[Any]) -> str:
    return "  ".join(text_of(label) for label in app.screen.query("#stats Label"))


@pytest.fixture
def person(live_server: LiveServer) -> Person:
    """A fresh account with a stored session, as after `taskflow login`."""
    someone = live_server.register()
    log_in_as(someone)
    return someone


async def test_the_dashboard_shows_the_tasks_the_counts_and_the_highlighted_task(
    live_server: LiveServer, person: Person
) -> None:
    person.add_task("Pay rent", priority="HIGH", description="Before the 1st")
    person.add_task("Old chore", dueDate="2020-01-01T09:00:00Z")
    app = make_app(live_server)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)

        assert isinstance(app.screen, DashboardScreen)
        assert titles(app) == ["Old chore", "Pay rent"]
        assert stats_line(app).startswith("2 pending  0 in progress  0 done  1 overdue")
        first_row = [str(cell) for cell in table(app).get_row_at(0)]
        assert first_row[0] == "#2"
        assert first_row[-1].endswith("overdue")
        await pilot.press("down")
        detail = text_of(app.screen.query_one("#detail-body"))
        assert "Pay rent" in detail
        assert "Before the 1st" in detail
        assert "created" in detail


async def test_a_task_created_through_the_form_appears_in_the_table_and_counts(
    live_server: LiveServer, person: Person
) -> None:
    app = make_app(live_server)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(*"Water")
        app.screen.query_one("#title", Input).value += " the plants"
        app.screen.query_one("#due", Input).value = "2030-05-01 09:00"
        await pilot.press("ctrl+s")
        await settle(pilot)

        assert isinstance(app.screen, DashboardScreen)
        assert titles(app) == ["Water the plants"]
        assert table(app).highlighted_task is not None
        assert table(app).highlighted_task.title == "Water the plants"
        assert stats_line(app).startswith("1 pending")
    [task] = person.tasks()
    assert task["dueDate"] == "2030-05-01T09:00:00Z"
    assert task["priority"] == "MEDIUM"


async def test_a_server_validation_error_is_shown_next_to_its_field(
    live_server: LiveServer, person: Person
) -> None:
    app = make_app(live_server)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("space", "space", "enter")
        await settle(pilot)

        title_error = app.screen.query_one("#title-error", Label)
        assert title_error.display
        assert "blank" in text_of(title_error)
        assert app.screen.focused is app.screen.query_one("#title")
        assert not app.screen.query_one("#due-error", Label).display

        app.screen.query_one("#title", Input).value = "Fixed"
        app.screen.query_one("#due", Input).value = "the twelfth of never"
        await pilot.press("ctrl+s")
        await settle(pilot)

        assert "cannot read" in text_of(app.screen.query_one("#due-error", Label))
        assert not app.screen.query_one("#title-error", Label).display
        assert person.tasks() == []
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)


async def test_editing_a_task_sends_only_what_changed(
    live_server: LiveServer, person: Person
) -> None:
    person.add_task("Draft", description="first words", priority="LOW")
    app = make_app(live_server)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        title = app.screen.query_one("#title", Input)
        assert title.value == "Draft"
        title.value = "Final draft"
        await pilot.press("ctrl+s")
        await settle(pilot)

        assert titles(app) == ["Final draft"]
    [task] = person.tasks()
    assert (task["title"], task["description"], task["priority"], task["version"]) == (
        "Final draft",
        "first words",
        "LOW",
        2,
    )


async def test_an_edit_that_raced_a_change_to_other_fields_keeps_both(
    live_server: LiveServer, person: Person
) -> None:
    created = person.add_task("Shared")
    app = make_app(live_server)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        person.call("PATCH", f"/tasks/{created['id']}", json={"priority": "HIGH"})
        app.screen.query_one("#title", Input).value = "Mine"
        await pilot.press("ctrl+s")
        await settle(pilot)

        assert isinstance(app.screen, DashboardScreen)
    [task] = person.tasks()
    assert (task["title"], task["priority"]) == ("Mine", "HIGH")


async def test_an_edit_that_raced_a_change_to_the_same_field_shows_both_and_asks(
    live_server: LiveServer, person: Person
) -> None:
    created = person.add_task("Shared", dueDate="2030-01-01T09:00:00Z")
    app = make_app(live_server)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        person.call(
            "PATCH",
            f"/tasks/{created['id']}",
            json={"title": "Theirs", "dueDate": "2031-02-03T10:00:00Z", "priority": "LOW"},
        )
        app.screen.query_one("#title", Input).value = "Mine"
        app.screen.query_one("#due", Input).value = "2032-01-01 12:00"
        await pilot.press("ctrl+s")
        await settle(pilot)

        assert isinstance(app.screen, ConflictModal)
        rows = [
            [str(cell) for cell in app.screen.query_one(DataTable).get_row_at(index)]
            for index in range(app.screen.query_one(DataTable).row_count)
        ]
        assert rows == [
            ["Title", "Theirs", "Mine"],
            ["Due", "2031-02-03 10:00", "2032-01-01 12:00"],
        ]
        dialog = app.screen.query_one("#conflict").region
        assert app.screen.region.contains_region(dialog)  # nothing cut off at 80x24
        for widget in app.screen.query("#conflict Label, #conflict Button"):
            assert dialog.contains_region(widget.region), widget

        await pilot.press("escape")  # back to the form: nothing saved
        await settle(pilot)
        assert "Not saved" in text_of(app.screen.query_one("#form-error", Label))
        assert person.tasks()[0]["title"] == "Theirs"

        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConflictModal)
        await pilot.press("o")
        await settle(pilot)

        assert isinstance(app.screen, DashboardScreen)
    [task] = person.tasks()
    assert (task["title"], task["dueDate"], task["priority"]) == (
        "Mine",
        "2032-01-01T12:00:00Z",
        "LOW",
    )


async def test_start_and_done_change_the_status_and_done_toggles_back(
    live_server: LiveServer, person: Person
) -> None:
    person.add_task("Ship it")
    app = make_app(live_server)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert table(app).tasks[0].status == "IN_PROGRESS"
        assert stats_line(app).startswith("0 pending  1 in progress  0 done")

        await pilot.press("d")
        await settle(pilot)
        assert table(app).tasks[0].status == "COMPLETED"
        assert stats_line(app).startswith("0 pending  0 in progress  1 done")
        assert person.tasks()[0]["completedAt"] is not None

        await pilot.press("d")
        await settle(pilot)
        assert table(app).tasks[0].status == "PENDING"
        assert person.tasks()[0]["completedAt"] is None


async def test_delete_asks_first_and_only_yes_deletes(
    live_server: LiveServer, person: Person
) -> None:
    person.add_task("Keep me")
    person.add_task("Bin me")
    app = make_app(live_server)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("x")
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("enter")  # the focused button is Cancel
        await settle(pilot)
        assert titles(app) == ["Bin me", "Keep me"]

        await pilot.press("x")
        await pilot.press("y")
        await settle(pilot)

        assert isinstance(app.screen, DashboardScreen)
        assert titles(app) == ["Keep me"]
        assert stats_line(app).startswith("1 pending")
    assert [task["title"] for task in person.tasks()] == ["Keep me"]


async def test_filter_keys_cycle_status_priority_and_sort(
    live_server: LiveServer, person: Person
) -> None:
    person.add_task("low pending", priority="LOW")
    person.add_task("high done", priority="HIGH", status="COMPLETED")
    person.add_task("medium started", priority="MEDIUM", status="IN_PROGRESS")
    app = make_app(live_server)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        filters = app.screen.query_one(FilterBar)

        await pilot.press("f")  # open: pending and in progress
        await settle(pilot)
        assert titles(app) == ["medium started", "low pending"]
        await pilot.press("f", "f", "f")  # pending, in progress, done
        await settle(pilot)
        assert filters.filters.status.label == "done"
        assert titles(app) == ["high done"]
        await pilot.press("f")  # all again
        await pilot.press("p")  # high
        await settle(pilot)
        assert titles(app) == ["high done"]
        await pilot.press("p", "p")  # low
        await settle(pilot)
        assert titles(app) == ["low pending"]
        await pilot.press("p", "o", "o")  # all priorities; sort by due, then priority
        await settle(pilot)
        assert filters.filters.sort.label == "priority"
        assert titles(app) == ["high done", "medium started", "low pending"]


async def test_clicking_a_row_highlights_it_and_clicking_it_again_opens_it(
    live_server: LiveServer, person: Person
) -> None:
    for title in ("first", "second", "third"):
        person.add_task(title)
    app = make_app(live_server)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.click(TaskTable, offset=(10, 3))  # border, header, then the rows
        assert table(app).highlighted_task is not None
        assert table(app).highlighted_task.title == "second"
        assert "second" in text_of(app.screen.query_one("#detail-body"))

        await pilot.click(TaskTable, offset=(10, 3))
        await settle(pilot)

        assert app.screen.query_one("#title", Input).value == "second"


async def test_clicking_a_filter_toggle_cycles_it(live_server: LiveServer, person: Person) -> None:
    person.add_task("a", priority="LOW")
    person.add_task("b", priority="HIGH")
    app = make_app(live_server)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.click("#priority")
        await settle(pilot)
        assert titles(app) == ["b"]
        assert table(app).has_focus


async def test_search_waits_for_a_pause_in_typing_then_filters(
    live_server: LiveServer, person: Person
) -> None:
    person.add_task("Buy oat milk")
    person.add_task("Call mum", description="about the milk run")
    person.add_task("Book dentist")
    app = make_app(live_server)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        assert app.focused is app.screen.query_one("#search")
        await pilot.press(*"milk")
        await pilot.pause()
        assert not any(worker.group == "tasks" for worker in app.workers)  # still typing
        assert len(titles(app)) == 3

        await pilot.pause(FilterBar.SEARCH_DELAY + 0.2)
        await settle(pilot)
        assert titles(app) == ["Call mum", "Buy oat milk"]

        app.screen.query_one("#search", Input).value = "dentist"
        await pilot.press("enter")
        await settle(pilot)
        assert titles(app) == ["Book dentist"]
        assert table(app).has_focus

        await pilot.press("slash")
        app.screen.query_one("#search", Input).value = ""
        await pilot.press("escape")
        await settle(pilot)
        assert len(titles(app)) == 3
        assert table(app).has_focus


async def test_brackets_page_through_the_tasks(live_server: LiveServer, person: Person) -> None:
    for number in range(1, 53):
        person.add_task(f"task {number}")
    app = make_app(live_server)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert len(titles(app)) == 50
        assert table(app).border_subtitle == "1-50 of 52 · page 1/2"

        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert titles(app) == ["task 2", "task 1"]
        assert table(app).border_subtitle == "51-52 of 52 · page 2/2"
        await pilot.press("right_square_bracket")  # no page 3: stays
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert titles(app)[0] == "task 52"


async def test_a_refresh_keeps_the_cursor_on_the_same_task(
    live_server: LiveServer, person: Person
) -> None:
    for title in ("one", "two", "three"):
        person.add_task(title)
    app = make_app(live_server)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("down")
        assert table(app).highlighted_task is not None
        assert table(app).highlighted_task.title == "two"

        person.add_task("zero")  # lands on top: every row moves down one
        await pilot.press("r")
        await settle(pilot)

        assert titles(app) == ["zero", "three", "two", "one"]
        assert table(app).highlighted_task is not None
        assert table(app).highlighted_task.title == "two"
        assert table(app).cursor_row == 2
        assert "two" in text_of(app.screen.query_one(TaskDetail).query_one("#detail-body"))


async def test_the_page_refreshes_itself_on_a_timer(
    live_server: LiveServer, person: Person
) -> None:
    app = make_app(live_server, refresh_seconds=0.2)
    async with app.run_test(size=(80, 24)) as pilot:
        # The timer keeps starting loads (each replacing the last), so the test watches the
        # screen instead of waiting for the workers to stop; a loaded machine may take a few of
        # its 0.2 s turns.
        async def shows(condition: Callable[[], bool]) -> bool:
            for _ in range(100):
                if condition():
                    return True
                await pilot.pause(0.1)
            return condition()

        assert await shows(lambda: stats_line(app).startswith("0 pending"))
        assert titles(app) == []
        person.add_task("from another terminal")

        # No key pressed: only the timer can bring the task in.
        assert await shows(lambda: stats_line(app).startswith("1 pending"))
        assert await shows(lambda: titles(app) == ["from another terminal"])


async def test_the_notifications_panel_lists_unread_ones_and_marks_them_read(
    live_server: LiveServer, person: Person
) -> None:
    past = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
    person.add_task("Late one", dueDate=past)
    assert live_server.scan_overdue() >= 1
    app = make_app(live_server)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "1 unread" in stats_line(app)

        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen, NotificationsModal)
        options = app.screen.query_one(OptionList)
        assert options.option_count == 1
        assert "Late one" in str(options.get_option_at_index(0).prompt)

        await pilot.press("enter")
        await settle(pilot)
        assert "Nothing unread" in str(options.get_option_at_index(0).prompt)
        await pilot.press("escape")
        await settle(pilot)

        assert isinstance(app.screen, DashboardScreen)
        assert "0 unread" in stats_line(app)


async def test_mark_all_read_marks_more_than_the_panel_shows_and_the_counts_agree(
    live_server: LiveServer, person: Person
) -> None:
    past = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
    person.call("POST", "/tasks/bulk", json={"tasks": [
        {"title": f"late {n}", "dueDate": past} for n in range(60)
    ]})  # fmt: skip
    live_server.scan_overdue()
    app = make_app(live_server)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "60 unread" in stats_line(app)
        await pilot.press("i")
        await settle(pilot)
        options = app.screen.query_one(OptionList)
        assert options.option_count == 50  # the panel shows the newest 50

        await pilot.press("a")
        await settle(pilot)

        assert isinstance(app.screen, NotificationsModal)  # the header is still in view
        assert "Nothing unread" in str(options.get_option_at_index(0).prompt)
        dashboard = app.screen_stack[-2]
        header = "  ".join(text_of(label) for label in dashboard.query("#stats Label"))
        assert "0 unread" in header
    unread = person.call("GET", "/notifications", params={"unread": "true"})
    assert unread["meta"]["total"] == 0


async def test_help_lists_every_key(live_server: LiveServer, person: Person) -> None:
    from taskflow_cli.tui.keys import DASHBOARD_KEYS

    app = make_app(live_server)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpModal)
        text = "\n".join(text_of(part) for part in app.screen.query("#help Static"))
        for key in DASHBOARD_KEYS:
            assert key.help in text
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)


async def test_a_revoked_session_goes_back_to_the_login_screen(
    live_server: LiveServer, person: Person
) -> None:
    person.add_task("mine")
    admin = live_server.admin()
    app = make_app(live_server)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert titles(app) == ["mine"]
        await pilot.press("n")  # a modal on top must not survive the end of the session
        await settle(pilot)

        admin.call("PATCH", f"/users/{person.id}", json={"isActive": False})
        app.screen.query_one("#title", Input).value = "too late"
        await pilot.press("ctrl+s")
        await settle(pilot)

        assert isinstance(app.screen, LoginScreen)
        assert len(app.screen_stack) == 2
        reason = app.screen.query_one("#reason", Label)
        assert "expired or was revoked" in text_of(reason)
        assert app.screen.query_one("#email", Input).value == person.email


async def test_an_expired_access_token_is_refreshed_without_a_word(
    short_token_server: LiveServer,
) -> None:
    person = short_token_server.register()
    person.add_task("still here")
    log_in_as(person)
    app = make_app(short_token_server)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)

        assert isinstance(app.screen, DashboardScreen)
        assert table(app).tasks[0].status == "COMPLETED"


async def test_logging_out_elsewhere_ends_the_session_here(
    short_token_server: LiveServer,
) -> None:
    from taskflow_cli.client import ApiClient

    person = short_token_server.register()
    log_in_as(person)
    app = make_app(short_token_server)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)

        with ApiClient(short_token_server.url) as other_terminal:
            other_terminal.logout()
        await pilot.press("r")
        await settle(pilot)

        assert isinstance(app.screen, LoginScreen)


async def test_starting_while_the_server_is_down_shows_the_dashboard_offline(
    own_server: LiveServer,
) -> None:
    person = own_server.register()
    log_in_as(person)
    own_server.stop()
    app = make_app(own_server)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)

        assert isinstance(app.screen, DashboardScreen)
        assert app.screen.sub_title.startswith(person.email)
        assert "offline" in stats_line(app)
        assert any("Cannot reach" in message for message in toasts(app))


async def test_a_server_that_went_away_is_one_toast_and_the_screen_stays_usable(
    own_server: LiveServer,
) -> None:
    person = own_server.register()
    person.add_task("seen before the crash")
    log_in_as(person)
    app = make_app(own_server)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        own_server.stop()
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)

        assert isinstance(app.screen, DashboardScreen)
        assert titles(app) == ["seen before the crash"]
        assert "offline" in stats_line(app)
        assert len([message for message in toasts(app) if "Cannot reach" in message]) == 1
        await pilot.press("d")
        await settle(pilot)
        assert len(toasts(app)) == 2  # the action's failure is told; the refreshes' once
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpModal)
