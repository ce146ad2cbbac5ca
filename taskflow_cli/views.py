"""How tasks, users, notifications and stats look in a terminal, as `TableData`."""

from __future__ import annotations

from taskflow_cli.dates import due_phrase, is_overdue, local_text, parse_instant
from taskflow_cli.output import Cell, TableData

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime
    from typing import Any

    Json = dict[str, Any]

STATUS_STYLE = {"PENDING": "", "IN_PROGRESS": "cyan", "COMPLETED": "green"}
STATUS_LABEL = {"PENDING": "pending", "IN_PROGRESS": "in progress", "COMPLETED": "done"}
PRIORITY_STYLE = {"HIGH": "bold red", "MEDIUM": "yellow", "LOW": "dim"}
TITLE_MIN = 20
TASK_FIELD_LABELS = {
    "title": "Title",
    "description": "Description",
    "status": "Status",
    "priority": "Priority",
    "dueDate": "Due",
    "projectId": "Project",
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


def task_table(
    tasks: list[Json], now: datetime, project_paths: Mapping[str, str] | None = None
) -> TableData:
    """Number, title, project and labels (when a task has any), status, priority and due;
    `project_paths` names the projects (`home/garden`) by id."""
    paths = project_paths or {}
    columns = ["#", "Title"]
    if any(task.get("projectId") for task in tasks):
        columns.append("Project")
    if any(task.get("labels") for task in tasks):
        columns.append("Labels")
    columns += ["Status", "Priority", "Due"]
    # Left out first when the window is narrow: the least useful for choosing what to do.
    drop_order = ("Priority", "Status", "Labels", "Project", "Due")
    table = TableData(
        columns,
        right_aligned=frozenset({0}),
        flexible=1,
        # A title is what a row is about: columns go before it is cut below this.
        flexible_min=TITLE_MIN,
        droppable=tuple(columns.index(name) for name in drop_order if name in columns),
    )
    for task in tasks:
        cells = {
            "#": Cell(str(task["number"]), "bold"),
            "Title": Cell(task["title"]),
            "Project": Cell(paths.get(task.get("projectId") or "", ""), "cyan"),
            "Labels": Cell(labels_text(task.get("labels") or [])),
            "Status": status_cell(task["status"]),
            "Priority": priority_cell(task["priority"]),
            "Due": due_cell(task, now),
        }
        table.add(*(cells[name] for name in columns))
    return table


def labels_text(labels: list[str]) -> str:
    return ", ".join(labels)


def task_detail(task: Json, now: datetime, project_path: str = "") -> TableData:
    table = TableData(["Field", "Value"], show_header=False, flexible=1, wrap=True)
    table.add("Task", Cell(f"#{task['number']}  {task['title']}", "bold"))
    table.add("Status", status_cell(task["status"]))
    table.add("Priority", priority_cell(task["priority"]))
    if task.get("projectId"):
        table.add("Project", Cell(project_path or task["projectId"], "cyan"))
    if task.get("labels"):
        table.add("Labels", labels_text(task["labels"]))
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


def stats_view(stats: Json) -> list[TableData]:
    """The counts by status and priority, and overdue; then by project and by label, each
    in a table of its own when there are any."""
    table = TableData(["", "Tasks"], right_aligned=frozenset({1}))
    table.add(Cell("total", "bold"), Cell(str(stats["total"]), "bold"))
    for status, count in stats["byStatus"].items():
        table.add(status_cell(status), str(count))
    for priority, count in stats["byPriority"].items():
        cell = priority_cell(priority)
        table.add(Cell(f"{cell.text} priority", cell.style), str(count))
    overdue = stats["overdue"]
    table.add(Cell("overdue", "bold red" if overdue else ""), str(overdue))
    tables = [table]
    projects = stats.get("byProject") or []
    if any(project["projectId"] is not None for project in projects):
        by_project = TableData(["Project", "Tasks"], right_aligned=frozenset({1}), flexible=0)
        for project in projects:
            name = project["name"]
            cell = Cell(name, "cyan") if project["projectId"] else Cell("(no project)", "dim")
            by_project.add(cell, str(project["count"]))
        tables.append(by_project)
    if stats.get("byLabel"):
        by_label = TableData(["Label", "Tasks"], right_aligned=frozenset({1}), flexible=0)
        for label in stats["byLabel"]:
            by_label.add(label["name"], str(label["count"]))
        tables.append(by_label)
    return tables


def project_table(rows: list[tuple[int, Json]]) -> TableData:
    """(depth, project) rows: the names indented by depth, then their task counts."""
    colours = any(project.get("colour") for _, project in rows)
    headers = ["Project", "Open", "Overdue", *(["Colour"] if colours else [])]
    table = TableData(headers, right_aligned=frozenset({1, 2}), flexible=0)
    for depth, project in rows:
        name = "  " * depth + project["name"]
        cells = [
            Cell(f"{name} (archived)", "dim") if project["archived"] else Cell(name, "bold"),
            *_counts(project),
        ]
        if colours:
            cells.append(Cell(project.get("colour") or ""))
        table.add(*cells)
    return table


def label_table(labels: list[Json]) -> TableData:
    colours = any(label.get("colour") for label in labels)
    headers = ["Label", "Open", "Overdue", *(["Colour"] if colours else [])]
    table = TableData(headers, right_aligned=frozenset({1, 2}), flexible=0)
    for label in labels:
        cells = [Cell(label["name"], "bold"), *_counts(label)]
        if colours:
            cells.append(Cell(label.get("colour") or ""))
        table.add(*cells)
    return table


def _counts(item: Json) -> tuple[Cell, Cell]:
    overdue = item["overdueTasks"]
    return Cell(str(item["openTasks"])), Cell(str(overdue), "bold red" if overdue else "")


def conflict_table(
    title: str,
    fields: list[str],
    read: Json,
    theirs: Json,
    yours: Json,
    *,
    project_paths: Mapping[str, str] | None = None,
) -> TableData:
    """Each field as it was read, as the server has it now, and as you would write it."""
    table = TableData(
        ["Field", "When you read it", "Theirs (now)", "Yours"], title=title, flexible=3, wrap=True
    )
    paths = project_paths or {}
    for field in fields:
        values = [source.get(field) for source in (read, theirs, yours)]
        if field == "projectId":
            values = [paths.get(value, value) if value else None for value in values]
        table.add(
            Cell(TASK_FIELD_LABELS.get(field, field), "bold"),
            Cell(_plain(field, values[0]), "dim"),
            Cell(_plain(field, values[1]), "red"),
            Cell(_plain(field, values[2]), "green"),
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
