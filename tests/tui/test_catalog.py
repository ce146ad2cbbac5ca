"""The pure parts of projects and labels on the dashboard: the tree's projects and counts,
names read from the form's fields, completions, the sidebar's labels, the list query."""

from __future__ import annotations

from typing import Any

import pytest

from taskflow_cli.tui.catalog import Catalog, Counts, join_labels, split_labels
from taskflow_cli.tui.models import Project, Task
from taskflow_cli.tui.query import ALL_TASKS, NO_PROJECT, Scope, TaskFilters
from taskflow_cli.tui.screens.task_form import conflicts, unknown_project
from taskflow_cli.tui.suggest import LabelSuggester, ProjectSuggester, complete
from taskflow_cli.tui.text import Palette
from taskflow_cli.tui.widgets.project_tree import project_label

pytestmark = pytest.mark.anyio


def project(
    id: str, name: str, parent: str | None = None, *, archived: bool = False, counts=(0, 0)
) -> Project:
    return Project(id, name, parent, archived, *counts)


CATALOG = Catalog(
    projects=(
        # A child listed before its parent: the manual order may say so.
        project("g", "garden", "h", counts=(2, 1)),
        project("h", "home", counts=(1, 0)),
        project("s", "shed", "g", counts=(1, 1)),
        project("w", "work", counts=(4, 0)),
        project("o", "old", archived=True, counts=(3, 0)),
        project("x", "inside old", "o", counts=(5, 2)),
    ),
    labels=("bills", "to read", "later"),
)


def test_archived_projects_and_those_inside_them_are_not_listed() -> None:
    assert [p.name for p in CATALOG.visible()] == ["garden", "home", "shed", "work"]


def test_a_projects_counts_include_its_subprojects() -> None:
    counts = CATALOG.subtree_counts()

    assert counts["h"] == Counts(4, 2)
    assert counts["g"] == Counts(3, 2)
    assert counts["s"] == Counts(1, 1)
    assert CATALOG.in_projects() == Counts(16, 4)  # archived ones hold tasks too
    assert CATALOG.out_of_sight() == Counts(8, 2)


def test_names_paths_and_lookups() -> None:
    assert CATALOG.path_of("s") == "home / garden / shed"
    assert CATALOG.name_of("w") == "work"
    assert CATALOG.name_of("nope") == "?"
    assert CATALOG.name_of(None) == ""
    found = CATALOG.find("  GARDEN ")
    assert found is not None
    assert found.id == "g"
    assert CATALOG.find("gard") is None


def test_label_fields_split_at_commas_and_spaces_but_keep_known_names_whole() -> None:
    known = CATALOG.labels

    assert split_labels("bills, to read", known) == ["bills", "to read"]
    assert split_labels("bills later  urgent", known) == ["bills", "later", "urgent"]
    assert split_labels("to do, Bills,bills,, ", known) == ["to", "do", "Bills"]
    assert split_labels("   ", known) == []
    assert split_labels(join_labels(["to read", "bills"]), known) == ["to read", "bills"]


def test_completion_adds_the_rest_of_a_name_in_any_case() -> None:
    assert complete("ga", ["garden", "gazebo"]) == "rden"
    assert complete("GA", ["garden"]) == "rden"
    assert complete("garden", ["garden"]) is None
    assert complete("", ["garden"]) is None
    assert complete("b", ["bills", "books"], taken=["Bills"]) == "ooks"


async def test_the_suggesters_complete_the_field_and_the_last_label() -> None:
    assert await ProjectSuggester(["home", "work"]).get_suggestion("Wo") == "Work"
    labels = LabelSuggester(["bills", "later", "books"])
    assert await labels.get_suggestion("bills, b") == "bills, books"
    assert await labels.get_suggestion("later l") is None
    assert await labels.get_suggestion("bills, ") is None


def test_a_sidebar_line_shortens_the_overdue_count_when_it_does_not_fit() -> None:
    palette = Palette({"text-error": "#ff0000"})

    assert project_label("home", Counts(5, 2), 30, palette).plain == "home 5 2 overdue"
    assert project_label("home", Counts(5, 2), 12, palette).plain == "home 5 2!"
    assert project_label("home", Counts(0, 0), 30, palette).plain == "home"


def test_the_scope_and_labels_become_the_list_query() -> None:
    home = Scope("home", project_id="h")
    filters = TaskFilters(scope=home, labels=("bills",), not_labels=("later", "x"))
    params = filters.params(page=1)

    assert (params["project"], params["noProject"]) == ("h", None)
    assert (params["label"], params["notLabel"]) == (["bills"], ["later", "x"])
    assert TaskFilters(scope=NO_PROJECT).params(page=1)["noProject"] == "true"
    assert TaskFilters(scope=NO_PROJECT).params(page=1)["project"] is None
    assert filters.described() == "home · +bills -later -x"
    assert TaskFilters().described() == ""
    # A renamed project is still the same scope.
    assert Scope("house", project_id="h") == home
    assert ALL_TASKS != NO_PROJECT


def test_an_unknown_project_names_some_that_exist() -> None:
    many = Catalog(projects=tuple(project(str(n), f"p{n}") for n in range(8)))

    assert unknown_project("hom", CATALOG) == (
        "No project named “hom” (yours: garden, home, shed, work)."
    )
    assert unknown_project("x", many).endswith("p4, p5, …).")
    assert "no projects yet" in unknown_project("x", Catalog())


def task_with(**fields: Any) -> Task:
    body = {
        "id": "t",
        "number": 1,
        "title": "t",
        "status": "PENDING",
        "priority": "MEDIUM",
        "createdAt": "2026-11-20T08:00:00Z",
        "version": 1,
    }
    return Task.from_json(body | fields)


def test_a_clash_on_the_project_or_labels_is_shown_by_name() -> None:
    read = task_with(projectId="h", labels=["bills"])
    theirs = task_with(projectId="w", labels=["later"])
    fields = {"projectId": "g", "labels": ["bills", "to read"]}

    assert conflicts(read, theirs, fields, CATALOG) == [
        ("Project", "work", "garden"),
        ("Labels", "later", "bills, to read"),
    ]
    assert conflicts(read, read, fields, CATALOG) == []
