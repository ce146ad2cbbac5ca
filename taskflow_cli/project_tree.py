"""Your projects as a tree: paths (`home/garden`), the order to show them in, and a name or
a path read back to its project, in any case, as the server compares names."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from taskflow_cli.client import ApiClient

    Json = dict[str, Any]

SEPARATOR = "/"


class ProjectTree:
    """The projects of one `GET /projects` answer (in the server's manual order)."""

    def __init__(self, projects: list[Json]) -> None:
        self.projects = projects
        self.by_id = {project["id"]: project for project in projects}
        self._children: dict[str | None, list[Json]] = {}
        for project in projects:
            parent = project["parentId"] if project["parentId"] in self.by_id else None
            self._children.setdefault(parent, []).append(project)

    def with_project(self, project: Json) -> ProjectTree:
        """This tree with `project` added, or put in place of its earlier self."""
        others = [item for item in self.projects if item["id"] != project["id"]]
        return ProjectTree([*others, project])

    def path(self, project: Json) -> str:
        """`home/garden`: the names from the top-level project down to this one."""
        names = [project["name"]]
        parent = self.by_id.get(project["parentId"] or "")
        while parent is not None:
            names.append(parent["name"])
            parent = self.by_id.get(parent["parentId"] or "")
        return SEPARATOR.join(reversed(names))

    def path_of(self, project_id: str | None) -> str:
        """The path of the project with this id; "" for none (or one not in the tree)."""
        project = self.by_id.get(project_id or "")
        return "" if project is None else self.path(project)

    def in_order(self) -> list[tuple[int, Json]]:
        """(depth, project) for each project, each followed by those inside it."""
        ordered: list[tuple[int, Json]] = []

        def visit(parent: str | None, depth: int) -> None:
            for project in self._children.get(parent, []):
                ordered.append((depth, project))
                visit(project["id"], depth + 1)

        visit(None, 0)
        return ordered

    def inside(self, project: Json) -> list[Json]:
        """The projects inside this one, at any depth."""
        found: list[Json] = []
        for child in self._children.get(project["id"], []):
            found += [child, *self.inside(child)]
        return found

    def find(self, name: str) -> Json | None:
        """The project called `name` (in any case), else the one at the path `name`
        (`home/garden`: a project that has a `/` in its name is found by the name first)."""
        key = name.strip().casefold()
        for project in self.projects:
            if project["name"].casefold() == key:
                return project
        if SEPARATOR not in key:
            return None
        for project in self.projects:
            if self.path(project).casefold() == key:
                return project
        return None

    def get(self, name: str) -> Json:
        """`find`, or NotFound that says how to create it."""
        project = self.find(name)
        if project is None:
            from taskflow_core.domain.errors import NotFound

            raise NotFound(
                f"No project {name!r}: create it with `taskflow projects add {name}` "
                "(`taskflow projects list` shows yours)"
            )
        return project


def fetch_tree(client: ApiClient, *, include_archived: bool = True) -> ProjectTree:
    """The caller's projects, in one request."""
    return ProjectTree(client.projects(include_archived=include_archived))
