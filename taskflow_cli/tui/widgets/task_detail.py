"""The highlighted task in full: status, priority, due, project, labels, description and
timestamps."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from taskflow_cli.dates import local_text
from taskflow_cli.tui.text import (
    OVERDUE_STYLE,
    PRIORITY_LABEL,
    PRIORITY_STYLE,
    STATUS_LABEL,
    STATUS_STYLE,
    ago,
    due_label,
)

if TYPE_CHECKING:
    from datetime import datetime

    from textual.app import ComposeResult

    from taskflow_cli.tui.catalog import Catalog
    from taskflow_cli.tui.models import Task

EMPTY = "No task here. Press n to create one, or change the filters (f, p, /)."


class TaskDetail(VerticalScroll, can_focus=False):
    """Shows one task; scrolls when the description is long."""

    def compose(self) -> ComposeResult:
        yield Static(EMPTY, id="detail-body")

    def show_task(self, task: Task | None, *, now: datetime, catalog: Catalog) -> None:
        body = self.query_one("#detail-body", Static)
        if task is None:
            self.border_title = "Task"
            body.update(Content.styled(EMPTY, "$text-muted"))
            return
        self.border_title = f"Task #{task.number}"
        body.update(_describe(task, now, catalog))
        self.scroll_home(animate=False)


def _describe(task: Task, now: datetime, catalog: Catalog) -> Content:
    due: Content | str = Content.styled("no due date", "$text-muted")
    if task.due is not None:
        overdue = task.overdue(now)
        due = Content.assemble(
            f"due {local_text(task.due)} (",
            (due_label(task, now), OVERDUE_STYLE if overdue else ""),
            ")",
        )
    lines = [
        Content.styled(task.title, "bold"),
        Content.assemble(
            (STATUS_LABEL[task.status], STATUS_STYLE[task.status]),
            " · ",
            (f"{PRIORITY_LABEL[task.priority]} priority", PRIORITY_STYLE[task.priority]),
            " · ",
            due,
        ),
        _grouping(task, catalog),
        Content(""),
        Content(task.description)
        if task.description
        else Content.styled("No description.", "$text-muted italic"),
        Content(""),
        _timestamps(task, now),
    ]
    return Content("\n").join(lines)


def _grouping(task: Task, catalog: Catalog) -> Content:
    """`project home / garden · +bills +later`, or that it has neither."""
    parts: list[Content] = []
    if task.project_id is not None:
        parts.append(Content.assemble("project ", (catalog.path_of(task.project_id), "bold")))
    if task.labels:
        parts.append(
            Content(" ").join(Content.styled(f"+{name}", "$text-accent") for name in task.labels)
        )
    if not parts:
        return Content.styled("no project, no labels", "$text-muted")
    return Content(" · ").join(parts)


def _timestamps(task: Task, now: datetime) -> Content:
    parts = [
        f"created {local_text(task.created)} ({ago(task.created, now)})",
        f"updated {ago(task.updated, now)}",
    ]
    if task.completed_at is not None:
        parts.append(f"done {local_text(task.completed_at)}")
    return Content.styled(" · ".join(parts), "$text-muted")
