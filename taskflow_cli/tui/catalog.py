"""The person's projects and labels, as the sidebar, the table and the form need them: names
by id, the visible tree with counts that include subprojects, and names read from a field."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

    from taskflow_cli.tui.models import Project

PATH_SEPARATOR = " / "


@dataclass(frozen=True, slots=True)
class Counts:
    open: int = 0
    overdue: int = 0


@dataclass(frozen=True, slots=True)
class Catalog:
    """Every project (archived ones too, for the names of their tasks) in the API's order,
    and every label name."""

    projects: tuple[Project, ...] = ()
    labels: tuple[str, ...] = ()
    _by_id: dict[str, Project] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_id.update((project.id, project) for project in self.projects)

    def name_of(self, project_id: str | None) -> str:
        """The project's name; `?` for one this catalog does not have (yet)."""
        if project_id is None:
            return ""
        project = self._by_id.get(project_id)
        return project.name if project is not None else "?"

    def path_of(self, project_id: str | None) -> str:
        """`home / garden`: the project's name after its parents'."""
        names: list[str] = []
        seen: set[str] = set()
        while project_id is not None and project_id not in seen:
            seen.add(project_id)
            project = self._by_id.get(project_id)
            if project is None:
                names.append("?")
                break
            names.append(project.name)
            project_id = project.parent_id
        return PATH_SEPARATOR.join(reversed(names))

    def find(self, name: str) -> Project | None:
        """The project with this name, in any case (names are unique per owner that way)."""
        wanted = name.strip().casefold()
        return next((p for p in self.projects if p.name.casefold() == wanted), None)

    def visible(self) -> list[Project]:
        """The projects the sidebar lists: neither archived nor inside an archived one, in
        the API's order."""
        hidden: set[str] = set()
        shown: list[Project] = []
        # A parent may come after its child in the manual order: resolve by walking up.
        for project in self.projects:
            if not self._archived_above(project, hidden):
                shown.append(project)
        return shown

    def _archived_above(self, project: Project, hidden: set[str]) -> bool:
        current: Project | None = project
        seen: set[str] = set()
        while current is not None and current.id not in seen:
            if current.archived or current.id in hidden:
                hidden.add(project.id)
                return True
            seen.add(current.id)
            current = self._by_id.get(current.parent_id) if current.parent_id else None
        return False

    def subtree_counts(self) -> dict[str, Counts]:
        """Each project's open and overdue tasks, those of the projects inside it included
        (what selecting it in the sidebar lists)."""
        totals = {project.id: [0, 0] for project in self.projects}
        for project in self.projects:
            current: str | None = project.id
            seen: set[str] = set()
            while current is not None and current in totals and current not in seen:
                seen.add(current)
                totals[current][0] += project.open
                totals[current][1] += project.overdue
                current = self._by_id[current].parent_id
        return {key: Counts(*value) for key, value in totals.items()}

    def in_projects(self) -> Counts:
        """The open and overdue tasks in any project, archived ones included."""
        return _sum(self.projects)

    def out_of_sight(self) -> Counts:
        """The open and overdue tasks in archived projects (and those inside them), which
        the list of every task leaves out."""
        shown = {project.id for project in self.visible()}
        return _sum(project for project in self.projects if project.id not in shown)


def _sum(projects: Iterable[Project]) -> Counts:
    listed = list(projects)
    return Counts(sum(p.open for p in listed), sum(p.overdue for p in listed))


_COMMAS = re.compile(r"\s*,\s*")


def split_labels(text: str, known: Iterable[str] = ()) -> list[str]:
    """The label names in a field: separated by commas, or by spaces, except that a piece
    between commas that is a known label's name (`to read`) stays whole. A name given twice
    (in any case) counts once."""
    known_names = {name.casefold() for name in known}
    names: list[str] = []
    for piece in _COMMAS.split(text.strip()):
        if not piece:
            continue
        names.extend([piece] if piece.casefold() in known_names else piece.split())
    seen: set[str] = set()
    unique = []
    for name in names:
        if name.casefold() not in seen:
            seen.add(name.casefold())
            unique.append(name)
    return unique


def join_labels(labels: Iterable[str]) -> str:
    """Labels as the form shows them: `bills, to read`."""
    return ", ".join(labels)
