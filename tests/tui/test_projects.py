"""Projects and labels on the dashboard, against a real server: the sidebar and its counts,
the label columns and filter, and the form's project, labels and title words."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from textual.widgets import Input, Label, Select

from taskflow_cli.tui.screens.dashboard import DashboardScreen
from taskflow_cli.tui.widgets.project_tree import ProjectTree
from taskflow_cli.tui.widgets.task_table import TaskTable
from tests.tui.conftest import log_in_as, make_app, settle

if TYPE_CHECKING:
    from textual.app import App
    from textual.pilot import Pilot

    from tests.tui.conftest import LiveServer, Person

pytestmark = pytest.mark.anyio
WIDE = (140, 40)
NARROW = (80, 24)


@pytest.fixture
def person(live_server: LiveServer) -> Person:
    someone = live_server.register()
    log_in_as(someone)
    return someone


def new_project(person: Person, name: str, **fields: Any) -> str:
    project: dict[str, Any] = person.call("POST", "/projects", json={"name": name, **fields})
    return str(project["id"])


def titles(app: App[Any]) -> list[str]:
    return [task.title for task in app.screen.query_one(TaskTable).tasks]


def sidebar(app: App[Any]) -> ProjectTree:
    return app.screen.query_one(ProjectTree)


def sidebar_lines(app: App[Any]) -> list[str]:
    """Each line of the sidebar, indented two spaces per level of nesting."""
    lines = []
    for index in range(sidebar(app).last_line + 1):
        node = sidebar(app).get_node_at_line(index)
        assert node is not None
        depth = 0
        parent = node.parent
        while parent is not None and not parent.is_root:
            depth += 1
            parent = parent.parent
        lines.append("  " * depth + str(node.label))
    return lines


async def choose(pilot: Pilot[Any], line: str) -> None:
    """Put the sidebar's cursor on the line that starts with `line` and press enter."""
    tree = sidebar(pilot.app)
    tree.focus()
    starts = [text.strip() for text in sidebar_lines(pilot.app)]
    tree.cursor_line = next(i for i, text in enumerate(starts) if text.startswith(line))
    await pilot.press("enter")
    await settle(pilot)


def detail_text(app: App[Any]) -> str:
    return str(app.screen.query_one("#detail-body").render())


async def test_the_sidebar_nests_the_projects_with_their_open_and_overdue_counts(
    live_server: LiveServer, person: Person
) -> None:
    home = new_project(person, "home")
    garden = new_project(person, "garden", parentId=home)
    work = new_project(person, "work")
    gone = new_project(person, "gone")
    person.call("PATCH", f"/projects/{gone}", json={"archived": True})
    person.add_task("mow", projectId=garden, dueDate="2020-01-01T09:00:00Z")
    person.add_task("sweep", projectId=home)
    person.add_task("swept", projectId=home, status="COMPLETED")
    person.add_task("report", projectId=work)
    person.add_task("loose end")
    person.add_task("put away", projectId=gone)  # archived: not listed, not counted
    app = make_app(live_server)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)

        assert sidebar(app).display
        assert "put away" not in titles(app)
        assert sidebar_lines(app) == [
            "All tasks 4 1 overdue",
            "No project 1",
            "home 2 1 overdue",
            "  garden 1 1 overdue",
            "work 1",
        ]


async def test_choosing_a_project_lists_its_tasks_and_its_subprojects_tasks(
    live_server: LiveServer, person: Person
) -> None:
    home = new_project(person, "home")
    garden = new_project(person, "garden", parentId=home)
    person.add_task("mow", projectId=garden)
    person.add_task("sweep", projectId=home)
    person.add_task("loose end")
    app = make_app(live_server)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert titles(app) == ["loose end", "sweep", "mow"]

        await choose(pilot, "home")
        assert titles(app) == ["sweep", "mow"]
        assert app.screen.query_one(TaskTable).border_title == "Tasks · home"

        await choose(pilot, "garden")
        assert titles(app) == ["mow"]

        await choose(pilot, "No project")
        assert titles(app) == ["loose end"]

        await choose(pilot, "All tasks")
        assert titles(app) == ["loose end", "sweep", "mow"]
        assert app.screen.query_one(TaskTable).border_title == "Tasks"


async def test_the_counts_follow_a_change_made_on_the_dashboard(
    live_server: LiveServer, person: Person
) -> None:
    home = new_project(person, "home")
    person.add_task("sweep", projectId=home)
    person.add_task("dust", projectId=home)
    app = make_app(live_server)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert sidebar_lines(app)[2] == "home 2"

        await pilot.press("d")
        await settle(pilot)

        assert sidebar_lines(app)[0] == "All tasks 1"
        assert sidebar_lines(app)[2] == "home 1"


async def test_a_project_deleted_elsewhere_while_chosen_goes_back_to_every_task(
    live_server: LiveServer, person: Person
) -> None:
    home = new_project(person, "home")
    person.add_task("sweep", projectId=home)
    person.add_task("loose end")
    app = make_app(live_server)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await choose(pilot, "home")
        assert titles(app) == ["sweep"]

        person.call("DELETE", f"/projects/{home}")
        await pilot.press("r")
        await settle(pilot)

        assert sidebar_lines(app) == ["All tasks 2", "No project 2"]
        assert titles(app) == ["loose end", "sweep"]


async def test_b_hides_and_shows_the_sidebar_which_narrow_terminals_hide_by_themselves(
    live_server: LiveServer, person: Person
) -> None:
    new_project(person, "home")
    app = make_app(live_server)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        assert not sidebar(app).display
        table_width = app.screen.query_one(TaskTable).size.width

        await pilot.press("b")
        await settle(pilot)
        assert sidebar(app).display
        assert sidebar(app).has_focus
        assert app.screen.query_one(TaskTable).size.width < table_width

        await pilot.press("b")
        await settle(pilot)
        assert not sidebar(app).display
        assert app.screen.query_one(TaskTable).has_focus

    app = make_app(live_server)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert sidebar(app).display
        await pilot.press("b")
        await settle(pilot)
        assert not sidebar(app).display
        assert app.screen.query_one(TaskTable).has_focus


async def test_the_table_and_the_detail_pane_show_the_project_and_labels(
    live_server: LiveServer, person: Person
) -> None:
    home = new_project(person, "home")
    garden = new_project(person, "garden", parentId=home)
    person.add_task("mow", projectId=garden, labels=["outside", "weekend"])
    app = make_app(live_server)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await pilot.press("b")  # off: room for every column
        await settle(pilot)

        table = app.screen.query_one(TaskTable)
        headers = [str(column.label) for column in table.columns.values()]
        row = dict(zip(headers, (str(cell) for cell in table.get_row_at(0)), strict=True))
        assert row["Project"] == "garden"
        assert row["Labels"] == "outside, weekend"
        assert "project home / garden · +outside +weekend" in detail_text(app)


async def test_label_words_in_the_search_box_filter_by_label(
    live_server: LiveServer, person: Person
) -> None:
    person.add_task("rent", labels=["bills"])
    person.add_task("phone", labels=["bills", "later"])
    person.add_task("novel", labels=["later"])
    person.add_task("water", labels=["bills", "home"])
    person.add_task("walk")
    app = make_app(live_server)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        app.screen.query_one("#search", Input).value = "+bills -later"
        await pilot.press("enter")
        await settle(pilot)
        assert titles(app) == ["water", "rent"]
        assert app.screen.query_one(TaskTable).border_title == "Tasks · +bills -later"

        await pilot.press("slash")
        app.screen.query_one("#search", Input).value = "+bills +HOME"  # every one of them
        await pilot.press("enter")
        await settle(pilot)
        assert titles(app) == ["water"]

        await pilot.press("slash")
        app.screen.query_one("#search", Input).value = "-bills o"
        await pilot.press("enter")
        await settle(pilot)
        assert titles(app) == ["novel"]


async def test_a_search_word_the_box_does_not_filter_by_is_told_once_left(
    live_server: LiveServer, person: Person
) -> None:
    from tests.tui.conftest import toasts

    person.add_task("rent")
    app = make_app(live_server)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await pilot.press(*"rent pri:high")
        await pilot.pause(0.5)
        await settle(pilot)
        assert toasts(app) == []  # not while typing

        await pilot.press("enter")
        await settle(pilot)
        assert titles(app) == ["rent"]
        assert any("sidebar (b)" in message for message in toasts(app))


async def test_the_form_sets_and_changes_the_project_and_labels(
    live_server: LiveServer, person: Person
) -> None:
    home = new_project(person, "Home")
    work = new_project(person, "work")
    person.add_task("sweep", projectId=home, labels=["chores", "to do"])
    person.call("POST", "/labels", json={"name": "later"})
    app = make_app(live_server)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        project = app.screen.query_one("#project", Input)
        labels = app.screen.query_one("#labels", Input)
        assert (project.value, labels.value) == ("Home", "chores, to do")

        project.value = "WORK"
        labels.value = "to do, l"
        labels.focus()
        await pilot.press("end", "a")
        await settle(pilot)
        await pilot.press("right")  # accepts the completion
        assert labels.value == "to do, later"
        await pilot.press("ctrl+s")
        await settle(pilot)

        assert isinstance(app.screen, DashboardScreen)
    [task] = person.tasks()
    assert (task["projectId"], task["labels"]) == (work, ["to do", "later"])


async def test_a_project_that_does_not_exist_is_an_error_by_its_field(
    live_server: LiveServer, person: Person
) -> None:
    new_project(person, "home")
    app = make_app(live_server)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        app.screen.query_one("#title", Input).value = "sweep"
        app.screen.query_one("#project", Input).value = "hom"
        await pilot.press("ctrl+s")
        await settle(pilot)

        error = app.screen.query_one("#project-error", Label)
        assert error.display
        assert str(error.visual) == "No project named “hom” (yours: home)."
        assert app.screen.focused is app.screen.query_one("#project")
        region = app.screen.query_one("#form").region
        assert app.screen.region.contains_region(region)  # the error fits at 80x24
        assert person.tasks() == []


async def test_quick_add_words_in_a_new_tasks_title_fill_the_fields_they_name(
    live_server: LiveServer, person: Person
) -> None:
    home = new_project(person, "home")
    app = make_app(live_server)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        app.screen.query_one(
            "#title", Input
        ).value = "Pay rent project:home +bills due:2030-01-04 pri:high"
        await pilot.press("tab")  # leaving the title moves the words to their fields
        await settle(pilot)
        form = app.screen
        assert form.query_one("#title", Input).value == "Pay rent"
        assert form.query_one("#project", Input).value == "home"
        assert form.query_one("#labels", Input).value == "bills"
        assert form.query_one("#due", Input).value == "2030-01-04 23:59:59"  # as the CLI reads it
        assert form.query_one("#priority", Select).value == "HIGH"

        form.query_one("#title", Input).value += " now +urgent -bills"
        await pilot.press("ctrl+s")
        await settle(pilot)

        assert isinstance(app.screen, DashboardScreen)
    [task] = person.tasks()
    assert (task["title"], task["projectId"], task["labels"], task["priority"]) == (
        "Pay rent now",
        home,
        ["urgent"],
        "HIGH",
    )
    assert task["dueDate"] == "2030-01-04T23:59:59Z"


async def test_a_saved_title_that_holds_such_words_saves_unchanged(
    live_server: LiveServer, person: Person
) -> None:
    person.add_task("Ask +1 on  due:dates -- project:x")
    app = make_app(live_server)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        title = app.screen.query_one("#title", Input)
        assert title.value == r"Ask +1 on \due:dates \-- \project:x"
        await pilot.press("tab", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        [unchanged] = person.tasks()
        assert (unchanged["title"], unchanged["version"]) == (
            "Ask +1 on  due:dates -- project:x",
            1,
        )

        await pilot.press("e")
        await settle(pilot)
        app.screen.query_one("#title", Input).value += " +late"
        await pilot.press("ctrl+s")
        await settle(pilot)

    [task] = person.tasks()
    # The words were moved out: what is left of the title is what it was.
    assert (task["title"], task["labels"], task["projectId"]) == (
        "Ask +1 on  due:dates -- project:x",
        ["late"],
        None,
    )


async def test_a_new_task_starts_in_the_project_the_sidebar_shows(
    live_server: LiveServer, person: Person
) -> None:
    home = new_project(person, "home")
    app = make_app(live_server)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await choose(pilot, "home")
        await pilot.press("n")
        await settle(pilot)
        assert app.screen.query_one("#project", Input).value == "home"
        await pilot.press(*"sweep", "enter")
        await settle(pilot)

        assert titles(app) == ["sweep"]
    [task] = person.tasks()
    assert task["projectId"] == home


async def test_the_overdue_count_is_spelt_out_once_the_sidebar_has_room(
    live_server: LiveServer, person: Person
) -> None:
    person.add_task("late", dueDate="2020-01-01T09:00:00Z")
    app = make_app(live_server)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("b")  # shown now, after its lines were laid out hidden
        await settle(pilot)

        assert sidebar_lines(app)[0] == "All tasks 1 1 overdue"
