"""Words for statuses, priorities and times, shared by the table, the detail pane and the forms."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

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
