"""`taskflow tasks …`: your tasks, addressed by their number."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from taskflow_cli.errors import BadUsage
from taskflow_cli.options import (
    AllOption,
    FormatOption,
    JsonOption,
    LimitOption,
    PageOption,
    Priority,
    Status,
    YesOption,
    due_date,
    output_for,
)

if TYPE_CHECKING:
    from taskflow_cli.output import Output, TableData

app = typer.Typer(help="Your tasks: list, add, show, edit, start, done, rm, stats.")

Json = dict[str, Any]


class Sort(StrEnum):
    CREATED = "created"
    DUE = "due"
    PRIORITY = "priority"
    STATUS = "status"
    TITLE = "title"
    NUMBER = "number"


class Order(StrEnum):
    ASC = "asc"
    DESC = "desc"


SORT_FIELDS = {
    Sort.CREATED: "createdAt",
    Sort.DUE: "dueDate",
    Sort.PRIORITY: "priority",
    Sort.STATUS: "status",
    Sort.TITLE: "title",
    Sort.NUMBER: "number",
}

Numbers = Annotated[list[int], typer.Argument(help="Task numbers, e.g. 12 13.", min=1)]
Number = Annotated[int, typer.Argument(help="The task's number.", min=1)]
DueOption = Annotated[
    str | None,
    typer.Option(
        "--due", parser=due_date, help="e.g. 2026-12-01, tomorrow 17:00, friday, in 3 days, eod."
    ),
]
PriorityOption = Annotated[
    Priority | None, typer.Option("--priority", "-p", show_default=False, case_sensitive=False)
]
StatusOption = Annotated[
    Status | None, typer.Option("--status", "-s", show_default=False, case_sensitive=False)
]
DescriptionOption = Annotated[str | None, typer.Option("--description", "-d")]


@app.command("list")
def list_tasks(
    *,
    status: Annotated[
        list[Status] | None,
        typer.Option("--status", "-s", help="Repeatable.", case_sensitive=False),
    ] = None,
    priority: Annotated[
        list[Priority] | None,
        typer.Option("--priority", "-p", help="Repeatable.", case_sensitive=False),
    ] = None,
    search: Annotated[str | None, typer.Option(help="Words in the title or description.")] = None,
    due_before: Annotated[str | None, typer.Option(parser=due_date, help="A date.")] = None,
    due_after: Annotated[str | None, typer.Option(parser=due_date, help="A date.")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue tasks.")] = False,
    sort: Annotated[Sort, typer.Option(case_sensitive=False)] = Sort.CREATED,
    order: Annotated[Order, typer.Option(case_sensitive=False)] = Order.DESC,
    limit: LimitOption = 20,
    page: PageOption = 1,
    every_page: AllOption = False,
    json: JsonOption = False,
    output: FormatOption = None,
) -> None:
    """List your tasks, newest first; filter, sort and page through them."""
    from taskflow_cli import listing
    from taskflow_cli.client import open_client
    from taskflow_cli.wire import TASK_FIELDS

    out = output_for(json, output, lists=True)
    query = {
        "status": [item.api for item in status or []],
        "priority": [item.api for item in priority or []],
        "search": search,
        "dueBefore": due_before,
        "dueAfter": due_after,
        "overdue": "true" if overdue else None,
        "sort": SORT_FIELDS[sort],
        "order": order.value,
        "limit": limit,
        "page": page,
    }
    with open_client() as client:
        tasks = listing.fetch(client, "/tasks", query, every_page=every_page, out=out, noun="tasks")
    listing.show(out, tasks, fields=TASK_FIELDS, table=_task_table, noun="tasks")


@app.command("add")
def add(
    title: Annotated[str, typer.Argument(help="What to do.")],
    *,
    description: DescriptionOption = None,
    priority: PriorityOption = None,
    due: DueOption = None,
    status: StatusOption = None,
    json: JsonOption = False,
) -> None:
    """Add a task."""
    from taskflow_cli.client import open_client

    out = output_for(json)
    fields: Json = {"title": title, "description": description, "dueDate": due}
    if priority is not None:
        fields["priority"] = priority.api
    if status is not None:
        fields["status"] = status.api
    with open_client() as client:
        task = client.create_task({key: value for key, value in fields.items() if value})
    _report_task(out, task, "Added")


@app.command("show")
def show(number: Number, json: JsonOption = False) -> None:
    """Show one task."""
    from taskflow_cli.client import open_client

    out = output_for(json)
    with open_client() as client:
        task = client.task_by_number(number)
    if not out.wants_table:
        out.json(task)
        return
    from taskflow_cli.views import task_detail
    from taskflow_core.domain.clock import utcnow

    out.table(task_detail(task, utcnow()))


@app.command("edit")
def edit(
    number: Number,
    *,
    title: Annotated[str | None, typer.Option("--title", "-t")] = None,
    description: DescriptionOption = None,
    priority: PriorityOption = None,
    status: StatusOption = None,
    due: DueOption = None,
    no_due: Annotated[bool, typer.Option("--no-due", help="Remove the due date.")] = False,
    json: JsonOption = False,
) -> None:
    """Change a task; with no options, edit it in $EDITOR.

    Never overwrites another's change unasked: if the task changed meanwhile, it asks first.
    """
    from taskflow_cli.client import open_client
    from taskflow_cli.task_edit import edit_in_editor, save_changes

    out = output_for(json)
    if due is not None and no_due:
        raise BadUsage("pass --due or --no-due, not both")
    changes: Json = {"title": title, "description": description, "dueDate": due}
    changes = {key: value for key, value in changes.items() if value is not None}
    if priority is not None:
        changes["priority"] = priority.api
    if status is not None:
        changes["status"] = status.api
    if no_due:
        changes["dueDate"] = None
    if not changes and not out.interactive:
        raise BadUsage(
            "nothing to change: pass --title, --description, --priority, --status, --due or "
            "--no-due (or run in a terminal to edit in $EDITOR)"
        )
    with open_client() as client:
        task = client.task_by_number(number)
        if not changes:
            changes = edit_in_editor(task)
            if not changes:
                out.note(f"No changes; task #{number} is unchanged.")
                return
        task = save_changes(client, out, task, changes)
    _report_task(out, task, "Updated")


@app.command("start")
def start(numbers: Numbers, json: JsonOption = False) -> None:
    """Mark tasks in progress."""
    _run_batch(numbers, "update", "Started", json, changes={"status": "IN_PROGRESS"})


@app.command("done")
def done(numbers: Numbers, json: JsonOption = False) -> None:
    """Mark tasks completed."""
    _run_batch(numbers, "complete", "Completed", json)


@app.command("rm")
def remove(numbers: Numbers, yes: YesOption = False, json: JsonOption = False) -> None:
    """Delete tasks (asks first, unless --yes)."""
    _run_batch(numbers, "delete", "Deleted", json, confirm=not yes)


@app.command("stats")
def stats(json: JsonOption = False) -> None:
    """Count your tasks by status and priority, and the overdue ones."""
    from taskflow_cli.client import open_client

    out = output_for(json)
    with open_client() as client:
        counts = client.task_stats()
    if not out.wants_table:
        out.json(counts)
        return
    from taskflow_cli.views import stats_view

    out.table(stats_view(counts))


def _run_batch(
    numbers: list[int],
    action: str,
    verb: str,
    json: bool,
    *,
    changes: Json | None = None,
    confirm: bool = False,
) -> None:
    """Resolve the numbers, then apply `action` to them all in one request."""
    from taskflow_cli.client import open_client

    out = output_for(json)
    if confirm and not out.interactive:
        raise BadUsage("refusing to delete without asking: pass --yes (no terminal to ask on)")
    with open_client() as client:
        tasks = client.tasks_by_number(numbers)
        if confirm and not _confirm_delete(out, tasks):
            out.note("Nothing deleted.")
            return
        result = client.batch(action, [task["id"] for task in tasks], changes)
    _report_batch(out, tasks, result, verb)


def _confirm_delete(out: Output, tasks: list[Json]) -> bool:
    for task in tasks:
        out.note(f"  #{task['number']}  {task['title']}")
    noun = "this task" if len(tasks) == 1 else f"these {len(tasks)} tasks"
    return out.confirm(f"Delete {noun}?")


def _report_batch(out: Output, tasks: list[Json], result: Json, verb: str) -> None:
    numbers = {task["id"]: task["number"] for task in tasks}
    if not out.wants_table:
        out.json(result)
    elif result["succeeded"]:
        done = ", ".join(f"#{numbers[task_id]}" for task_id in result["succeeded"])
        out.message(f"{verb} {done}.")
    for failure in result["failed"]:
        out.warn(f"task #{numbers.get(failure['id'], '?')}: {failure['error']}")
    if result["failed"]:
        raise typer.Exit(1)


def _report_task(out: Output, task: Json, verb: str) -> None:
    if not out.wants_table:
        out.json(task)
        return
    from taskflow_cli.views import due_cell
    from taskflow_core.domain.clock import utcnow

    line = f"{verb} task #{task['number']}: {task['title']}"
    if task.get("dueDate"):
        due = due_cell(task, utcnow()).text
        line += f" (due {due})" if due.startswith("in ") else f" ({due})"
    out.message(line)


def _task_table(tasks: list[Json]) -> TableData:
    from taskflow_cli.views import task_table
    from taskflow_core.domain.clock import utcnow

    return task_table(tasks, utcnow())
