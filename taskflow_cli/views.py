"""How tasks, users, notifications and stats look in a terminal, as `TableData`."""

from __future__ import annotations

from taskflow_cli.dates import due_phrase, is_overdue, local_text, parse_instant
from taskflow_cli.output import Cell, TableData

TYPE_CHECKING = False
if TYPE_CHECKING:
    from datetime import datetime
    from typing import Any

    Json = dict[str, Any]

STATUS_STYLE = {"PENDING": "", "IN_PROGRESS": "cyan", "COMPLETED": "green"}
STATUS_LABEL = {"PENDING": "pending", "IN_PROGRESS": "in progress", "COMPLETED": "done"}
PRIORITY_STYLE = {"HIGH": "bold red", "MEDIUM": "yellow", "LOW": "dim"}
TASK_FIELD_LABELS = {
    "title": "Title",
    "description": "Description",
    "status": "Status",
    "priority": "Priority",
    "dueDate": "Due",
}


def status_cell(status: str) -> Cell:
    return Cell(STATUS_LABEL.get(status, status), STATUS_STYLE.get(status, ""))


def priority_cell(priority: str) -> Cell:
    return Cell(priority.lower(), PRIORITY_STYLE.get(priority, ""))


def due_cell(task: Json, now: datetime) -> Cell:
    """`in 2 days`, or `3 h overdue` in red; empty when the task has no due date."""
    if not task.get("dueDate"):
        return Cell("")
    due = parse_instant(task["dueDate"])
    completed = task["status"] == "COMPLETED"
    style = "bold red" if is_overdue(due, now=now, completed=completed) else ""
    return Cell(due_phrase(due, now=now, completed=completed), style)


def task_table(tasks: list[Json], now: datetime) -> TableData:
    table = TableData(
        ["#", "Title", "Status", "Priority", "Due"],
        right_aligned=frozenset({0}),
        flexible=1,
        droppable=(3, 2, 4),
    )
    for task in tasks:
        table.add(
            Cell(str(task["number"]), "bold"),
            task["title"],
            status_cell(task["status"]),
            priority_cell(task["priority"]),
            due_cell(task, now),
        )
    return table


def task_detail(task: Json, now: datetime) -> TableData:
    table = TableData(["Field", "Value"], show_header=False, flexible=1, wrap=True)
    table.add("Task", Cell(f"#{task['number']}  {task['title']}", "bold"))
    table.add("Status", status_cell(task["status"]))
    table.add("Priority", priority_cell(task["priority"]))
    if task.get("dueDate"):
        due = due_cell(task, now)
        when = local_text(parse_instant(task["dueDate"]))
        table.add("Due", Cell(f"{when} ({due.text})", due.style))
    else:
        table.add("Due", Cell("-", "dim"))
    table.add("Description", task.get("description") or "-")
    table.add("Created", local_text(parse_instant(task["createdAt"])))
    table.add("Updated", local_text(parse_instant(task["updatedAt"])))
    if task.get("completedAt"):
        table.add("Completed", local_text(parse_instant(task["completedAt"])))
    table.add("Id", Cell(task["id"], "dim"))
    return table


def stats_view(stats: Json) -> TableData:
    table = TableData(["", "Tasks"], right_aligned=frozenset({1}))
    table.add(Cell("total", "bold"), Cell(str(stats["total"]), "bold"))
    for status, count in stats["byStatus"].items():
        table.add(status_cell(status), str(count))
    for priority, count in stats["byPriority"].items():
        cell = priority_cell(priority)
        table.add(Cell(f"{cell.text} priority", cell.style), str(count))
    overdue = stats["overdue"]
    table.add(Cell("overdue", "bold red" if overdue else ""), str(overdue))
    return table


def conflict_table(
    title: str, fields: list[str], read: Json, theirs: Json, yours: Json
) -> TableData:
    """Each field as it was read, as the server has it now, and as you would write it."""
    table = TableData(
        ["Field", "When you read it", "Theirs (now)", "Yours"], title=title, flexible=3, wrap=True
    )
    for field in fields:
        table.add(
            Cell(TASK_FIELD_LABELS.get(field, field), "bold"),
            Cell(_plain(field, read.get(field)), "dim"),
            Cell(_plain(field, theirs.get(field)), "red"),
            Cell(_plain(field, yours.get(field)), "green"),
        )
    return table


def user_table(users: list[Json]) -> TableData:
    table = TableData(["Email", "Name", "Role", "Active", "Created"], flexible=1, droppable=(4, 3))
    for user in users:
        table.add(*_user_cells(user))
    return table


def user_detail(user: Json) -> TableData:
    table = TableData(["Field", "Value"], show_header=False, flexible=1, wrap=True)
    labels = ("Email", "Name", "Role", "Active", "Created")
    for label, cell in zip(labels, _user_cells(user), strict=True):
        table.add(label, cell)
    table.add("Id", Cell(user["id"], "dim"))
    return table


def notification_table(notifications: list[Json]) -> TableData:
    table = TableData(["Id", "When", "Message", "Read"], flexible=2, droppable=(1,))
    for item in notifications:
        unread = not item.get("readAt")
        table.add(
            Cell(item["id"][:8], "dim"),
            local_text(parse_instant(item["createdAt"])),
            Cell(item["message"], "bold" if unread else ""),
            Cell("new", "bold yellow") if unread else Cell("read", "dim"),
        )
    return table


def _user_cells(user: Json) -> tuple[Cell, Cell, Cell, Cell, Cell]:
    return (
        Cell(user["email"]),
        Cell(user["name"]),
        Cell(user["role"], "bold" if user["role"] == "admin" else ""),
        Cell("yes") if user["isActive"] else Cell("no", "red"),
        Cell(local_text(parse_instant(user["createdAt"]))),
    )


def _plain(field: str, value: Any) -> str:
    if value is None or value == "":
        return "-"
    if field == "dueDate":
        return local_text(parse_instant(value))
    if field == "status":
        return STATUS_LABEL.get(value, str(value))
    if field == "priority":
        return str(value).lower()
    return str(value)
