"""Words for statuses, priorities and times, shared by the table, the detail pane and the forms."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from rich.style import Style

from taskflow_cli.dates import due_phrase, span
from taskflow_core.domain.enums import TaskPriority, TaskStatus

if TYPE_CHECKING:
    from datetime import datetime

    from taskflow_cli.tui.models import Task

STATUS_LABEL = {
    TaskStatus.PENDING: "pending",
    TaskStatus.IN_PROGRESS: "in progress",
    TaskStatus.COMPLETED: "done",
}
PRIORITY_LABEL = {
    TaskPriority.HIGH: "high",
    TaskPriority.MEDIUM: "medium",
    TaskPriority.LOW: "low",
}
# Textual style strings with theme variables, so colours follow the dark and light themes.
# Red is kept for what is overdue.
STATUS_STYLE = {
    TaskStatus.PENDING: "",
    TaskStatus.IN_PROGRESS: "$text-primary",
    TaskStatus.COMPLETED: "$text-success",
}
PRIORITY_STYLE = {
    TaskPriority.HIGH: "bold $text-warning",
    TaskPriority.MEDIUM: "",
    TaskPriority.LOW: "dim",
}
OVERDUE_STYLE = "bold $text-error"


def due_label(task: Task, now: datetime) -> str:
    """`in 2 days`, `3 h overdue`, `2 days ago` (done), or empty without a due date."""
    if task.due is None:
        return ""
    return due_phrase(task.due, now=now, completed=task.done)


def ago(instant: datetime, now: datetime) -> str:
    """`5 min ago`, `3 days ago`; `just now` under a minute."""
    if now - instant < timedelta(minutes=1):
        return "just now"
    return f"{span(now - instant)} ago"


def form_due(instant: datetime | None) -> str:
    """A due date as the form shows it for editing (local, `2026-11-27 17:00`)."""
    if instant is None:
        return ""
    local = instant.astimezone()
    return local.strftime("%Y-%m-%d %H:%M:%S" if local.second else "%Y-%m-%d %H:%M")


class Palette:
    """Rich styles for Textual style strings (`bold $text-error`): the table draws Rich
    text, so theme variables are looked up in the current theme."""

    def __init__(self, variables: dict[str, str]) -> None:
        self._variables = variables
        self.overdue = self.of(OVERDUE_STYLE)
        self.overdue_title = self.of(OVERDUE_STYLE.replace("bold ", ""))
        self.done = Style(dim=True)

    def of(self, spec: str) -> Style:
        style = Style()
        for word in spec.split():
            if word.startswith("$"):
                color = self._variables.get(word[1:], "")
                if color.startswith("#"):
                    style += Style(color=color)
            else:
                style += Style.parse(word)
        return style
