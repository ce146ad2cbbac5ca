"""The projects sidebar: All tasks, No project, then the projects nested as they are, each
with its open tasks (and overdue ones when they fit); choosing one filters the table."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.message import Message
from textual.widgets import Tree

from taskflow_cli.tui.catalog import Catalog, Counts
from taskflow_cli.tui.query import ALL_TASKS, NO_PROJECT, Scope
from taskflow_cli.tui.text import OVERDUE_STYLE, Palette

if TYPE_CHECKING:
    from textual.widgets.tree import TreeNode

# Cells a tree line loses to its guides per level of nesting.
INDENT = 2


def project_label(name: str, counts: Counts, room: int, palette: Palette) -> Text:
    """`name 5 2 overdue`, or `name 5 2!` when that does not fit in `room` cells (the
    counts only when there is something to count)."""
    label = Text(name, no_wrap=True, overflow="ellipsis")
    if counts.open:
        label.append(f" {counts.open}", style="dim")
    if counts.overdue:
        long = f" {counts.overdue} overdue"
        fits = label.cell_len + len(long) <= room
        label.append(long if fits else f" {counts.overdue}!", style=palette.of(OVERDUE_STYLE))
    return label


def _less(counts: Counts, less: Counts) -> Counts:
    # The stats and the projects are read by two requests: never below zero between them.
    return Counts(max(counts.open - less.open, 0), max(counts.overdue - less.overdue, 0))


class ProjectTree(Tree[Scope]):
    """Posts `Chosen` with the scope of the line chosen (enter, or a click)."""

    DEFAULT_CSS: ClassVar[str] = """
    ProjectTree {
        scrollbar-size-vertical: 1;
    }
    """

    class Chosen(Message):
        """The person chose a line: the table shows that scope's tasks."""

        def __init__(self, scope: Scope) -> None:
            super().__init__()
            self.scope = scope

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("Projects", data=ALL_TASKS, id=id)
        self.show_root = False
        self.guide_depth = INDENT
        self.auto_expand = False
        self.catalog = Catalog()
        self._everything = Counts()
        self._chosen = ALL_TASKS
        self._room = 0

    def show(self, catalog: Catalog, *, everything: Counts | None, chosen: Scope) -> None:
        """List `catalog`'s projects, `everything` the open and overdue counts of all tasks,
        archived projects' too, as the stats count them (None: not known yet); the cursor
        stays on the line it was on (else on `chosen`)."""
        self.catalog = catalog
        self._chosen = chosen
        if everything is not None:
            self._everything = everything
        on_line = self.cursor_node.data if self.cursor_node is not None else chosen
        palette = Palette(self.app.theme_variables)
        room = self._room = max(self.scrollable_content_region.width, 12)
        outside = _less(self._everything, catalog.in_projects())
        listed = _less(self._everything, catalog.out_of_sight())
        self.clear()
        lines: dict[Scope, TreeNode[Scope]] = {}
        for scope, counts in ((ALL_TASKS, listed), (NO_PROJECT, outside)):
            label = project_label(scope.label, counts, room, palette)
            label.stylize("italic", 0, len(scope.label))
            lines[scope] = self.root.add_leaf(label, data=scope)
        subtree = catalog.subtree_counts()
        nodes: dict[str, TreeNode[Scope]] = {}
        depth: dict[str, int] = {}
        visible = catalog.visible()
        shown = {project.id for project in visible}
        # A parent may come after its child in the manual order: place parents first.
        pending = list(visible)
        while pending:
            waiting = []
            for project in pending:
                parent_id = project.parent_id if project.parent_id in shown else None
                if parent_id is not None and parent_id not in nodes:
                    waiting.append(project)
                    continue
                parent = nodes[parent_id] if parent_id is not None else self.root
                scope = Scope(project.name, project_id=project.id)
                depth[project.id] = depth[parent_id] + 1 if parent_id is not None else 0
                indent = INDENT * (depth[project.id] + 1)
                label = project_label(project.name, subtree[project.id], room - indent, palette)
                node = parent.add(label, data=scope, expand=True, allow_expand=False)
                nodes[project.id] = node
                lines[scope] = node
            if len(waiting) == len(pending):  # a parent cycle: show them at the top level
                shown -= {project.id for project in waiting}
            pending = waiting
        for node in nodes.values():
            if not node.children:
                node.allow_expand = False
        target = lines.get(on_line) if on_line is not None else None
        _ = self.last_line  # lays the new lines out: a node knows its line only then
        self.move_cursor(target or lines.get(chosen) or lines[ALL_TASKS], animate=False)

    def on_resize(self) -> None:
        # Shown after being hidden, or resized: the overdue counts may fit now, or no more.
        if self.scrollable_content_region.width != self._room:
            self.show(self.catalog, everything=None, chosen=self._chosen)

    def scope_of(self, project_id: str) -> Scope | None:
        """The sidebar's scope for a project it lists, None if it does not list it."""
        for project in self.catalog.visible():
            if project.id == project_id:
                return Scope(project.name, project_id=project.id)
        return None

    @on(Tree.NodeSelected)
    def _node_selected(self, event: Tree.NodeSelected[Scope]) -> None:
        event.stop()
        if event.node.data is not None:
            self.post_message(self.Chosen(event.node.data))
