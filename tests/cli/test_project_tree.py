"""Projects as a tree: paths, the order they are shown in, names and paths read back."""

from __future__ import annotations

from typing import Any

from taskflow_cli.project_tree import ProjectTree
from taskflow_cli.task_changes import relabelled


def project(id: str, name: str, parent: str | None = None) -> dict[str, Any]:
    return {"id": id, "name": name, "parentId": parent}


TREE = ProjectTree([
    project("g", "garden", "h"), project("h", "Home"), project("s", "Shed", "g"),
    project("w", "work"), project("x", "a/b"),
])  # fmt: skip


def test_paths_run_from_the_top_level_project_down() -> None:
    assert [TREE.path_of(key) for key in ("h", "g", "s")] == [
        "Home",
        "Home/garden",
        "Home/garden/Shed",
    ]
    assert TREE.path_of(None) == ""
    assert TREE.path_of("gone") == ""


def test_each_project_is_followed_by_those_inside_it_in_the_servers_order() -> None:
    shown = [(depth, item["name"]) for depth, item in TREE.in_order()]

    assert shown == [(0, "Home"), (1, "garden"), (2, "Shed"), (0, "work"), (0, "a/b")]
    assert [item["name"] for item in TREE.inside(TREE.by_id["h"])] == ["garden", "Shed"]


def test_a_name_in_any_case_or_a_path_finds_its_project() -> None:
    assert TREE.find("HOME") is TREE.by_id["h"]
    assert TREE.find(" shed ") is TREE.by_id["s"]
    assert TREE.find("home/GARDEN/shed") is TREE.by_id["s"]
    assert TREE.find("a/b") is TREE.by_id["x"]  # a name with a slash, before any path
    assert TREE.find("garden/shed") is None  # a path starts at the top level
    assert TREE.find("nope") is None


def test_relabelling_adds_after_and_removes_in_any_case_keeping_spellings() -> None:
    assert relabelled(["Bills", "later"], ["urgent", "BILLS", "Urgent"], ["LATER", "absent"]) == [
        "Bills", "urgent",
    ]  # fmt: skip
    assert relabelled([], [], []) == []
