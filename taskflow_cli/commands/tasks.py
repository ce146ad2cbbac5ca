"""`taskflow tasks …`: your tasks, addressed by their number."""

from __future__ import annotations

from taskflow_cli import arguments
from taskflow_cli.arguments import (
    add_output_options,
    add_page_options,
    client_for,
    commands,
    output_for,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any

    from taskflow_cli.output import Output, TableData

    Json = dict[str, Any]

OPEN = ("PENDING", "IN_PROGRESS")
# --sort word -> (the API's sort, its natural order).
SORTS = {
    "urgency": ("urgency", "asc"),
    "due": ("dueDate", "asc"),
    "priority": ("priority", "desc"),
    "created": ("createdAt", "desc"),
    "status": ("status", "asc"),
    "title": ("title", "asc"),
    "number": ("number", "asc"),
}
LIST_HELP = """\
List your open tasks (pending and in progress), most urgent first: overdue,
then due soonest, then undated; ties by priority, high first. Filters narrow
the list; --include-done adds the done tasks.

  taskflow tasks list -s done --sort created
  taskflow tasks list -p high --due-before friday
  taskflow tasks list --include-done --all -o csv > tasks.csv"""
DUE_HELP = "e.g. 2026-12-01, 2026-12-01 17:00, tomorrow 17:00, friday, in 3 days, eod"


def register(parser: argparse.ArgumentParser, words: list[str]) -> None:
    commands(
        parser,
        words,
        {
            "list": (list_tasks, "list your open tasks, most urgent first", _list_arguments),
            "add": (add_task, "add a task", _add_arguments),
            "show": (show_task, "show one task", _show_arguments),
            "edit": (edit_task, "change a task; with no options, edit it in $EDITOR",
                     _edit_arguments),
            "start": (start_tasks, "mark tasks in progress", _batch_arguments),
            "done": (complete_tasks, "mark tasks done", _batch_arguments),
            "rm": (remove_tasks, "delete tasks (asks first, unless --yes)", _remove_arguments),
            "stats": (task_stats, "count tasks by status and priority, and overdue",
                      add_output_options),
            "import": (import_tasks, "create many tasks from a file", _import_arguments),
        },
    )  # fmt: skip


def _list_arguments(listing: argparse.ArgumentParser) -> None:
    listing.description = LIST_HELP
    listing.add_argument(
        "-s", "--status", action="append", type=arguments.status,
        help="pending, in-progress or done (repeatable)",
    )  # fmt: skip
    listing.add_argument(
        "--include-done", action="store_true", help="done tasks too (without --status)"
    )
    listing.add_argument(
        "-p", "--priority", action="append", type=arguments.priority,
        help="low, medium or high (repeatable)",
    )  # fmt: skip
    listing.add_argument("--search", help="words in the title or description")
    listing.add_argument("--due-before", type=arguments.due, metavar="DATE", help=DUE_HELP)
    listing.add_argument("--due-after", type=arguments.due, metavar="DATE")
    listing.add_argument("--overdue", action="store_true", help="only overdue tasks")
    listing.add_argument(
        "--sort", choices=tuple(SORTS), type=str.lower, default="urgency", metavar="FIELD",
        help="urgency (default), due, priority, created, status, title or number",
    )  # fmt: skip
    listing.add_argument(
        "--order", choices=("asc", "desc"), type=str.lower, metavar="asc|desc",
        help="the sort's direction (default: soonest, highest, newest first; A to Z)",
    )  # fmt: skip
    add_page_options(listing)
    add_output_options(listing, lists=True)


def _add_arguments(add: argparse.ArgumentParser) -> None:
    add.add_argument("title", help="what to do")
    _task_fields(add)
    add_output_options(add)


def _show_arguments(show: argparse.ArgumentParser) -> None:
    show.add_argument(
        "number", type=arguments.number, help="the task's number"
    ).completer = complete_numbers  # type: ignore[attr-defined]
    add_output_options(show)


def _edit_arguments(edit: argparse.ArgumentParser) -> None:
    edit.epilog = "If the task changed since it was read, you are shown how and asked first."
    _show_arguments(edit)
    edit.add_argument("-t", "--title", help="a new title")
    _task_fields(edit)
    edit.add_argument("--no-due", action="store_true", help="remove the due date")


def _batch_arguments(batch: argparse.ArgumentParser) -> None:
    batch.add_argument(
        "numbers", nargs="+", type=arguments.number, metavar="NUMBER", help="e.g. 12 13"
    ).completer = complete_numbers  # type: ignore[attr-defined]
    add_output_options(batch)


def _remove_arguments(remove: argparse.ArgumentParser) -> None:
    _batch_arguments(remove)
    remove.add_argument("-y", "--yes", action="store_true", help="do not ask")


def _import_arguments(parser: argparse.ArgumentParser) -> None:
    from taskflow_cli.commands import task_import

    task_import.configure(parser)


def _task_fields(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-d", "--description", help="more words about it")
    parser.add_argument(
        "-p", "--priority", type=arguments.priority, help="low, medium (default) or high"
    )
    parser.add_argument("--due", type=arguments.due, metavar="DATE", help=DUE_HELP)
    parser.add_argument(
        "-s", "--status", type=arguments.status, help="pending (default), in-progress or done"
    )


def list_tasks(args: argparse.Namespace) -> None:
    """List your tasks: open ones, most urgent first, unless told otherwise."""
    from taskflow_cli import listing
    from taskflow_cli.wire import TASK_FIELDS

    out = output_for(args)
    sort, natural_order = SORTS[args.sort]
    statuses = args.status or ([] if args.include_done else list(OPEN))
    query = {
        "status": ",".join(dict.fromkeys(statuses)) or None,
        "priority": ",".join(dict.fromkeys(args.priority or [])) or None,
        "search": args.search,
        "dueBefore": args.due_before,
        "dueAfter": args.due_after,
        "overdue": "true" if args.overdue else None,
        "sort": sort,
        "order": args.order or natural_order,
        "limit": args.limit,
        "page": args.page,
    }
    noun = "tasks" if args.status or args.include_done else "open tasks"
    with client_for(args) as client:
        tasks = listing.fetch(
            client, "/tasks", query, every_page=args.every_page, out=out, noun=noun
        )
    listing.show(out, tasks, fields=TASK_FIELDS, table=_task_table, noun=noun)


def add_task(args: argparse.Namespace) -> None:
    """Add a task."""
    out = output_for(args)
    fields: Json = {"title": args.title}
    for name, value in (
        ("description", args.description),
        ("priority", args.priority),
        ("dueDate", args.due),
        ("status", args.status),
    ):
        if value is not None:
            fields[name] = value
    with client_for(args) as client:
        task = client.create_task(fields)
    report_task(out, task, "Added")


def show_task(args: argparse.Namespace) -> None:
    """Show one task."""
    out = output_for(args)
    with client_for(args) as client:
        task = client.task_by_number(args.number)
    if not out.wants_table:
        out.json(task)
        return
    from taskflow_cli.views import task_detail
    from taskflow_core.domain.clock import utcnow

    out.table(task_detail(task, utcnow()))


def edit_task(args: argparse.Namespace) -> None:
    """Change a task's fields, or edit it in $EDITOR; asks before overwriting another's
    change."""
    from taskflow_cli.errors import BadUsage
    from taskflow_cli.task_edit import edit_in_editor, save_changes

    out = output_for(args)
    if args.due is not None and args.no_due:
        raise BadUsage("pass --due or --no-due, not both")
    changes: Json = {
        name: value
        for name, value in (
            ("title", args.title),
            ("description", args.description),
            ("priority", args.priority),
            ("status", args.status),
            ("dueDate", args.due),
        )
        if value is not None
    }
    if args.no_due:
        changes["dueDate"] = None
    if not changes and not out.interactive:
        raise BadUsage(
            "nothing to change: pass --title, --description, --priority, --status, --due or "
            "--no-due (or run in a terminal to edit in $EDITOR)"
        )
    with client_for(args) as client:
        task = client.task_by_number(args.number)
        if not changes:
            changes = edit_in_editor(task)
            if not changes:
                out.note(f"No changes; task #{args.number} is unchanged.")
                return
        saved = save_changes(client, out, task, changes)
    if saved["version"] == task["version"] and out.wants_table:
        out.message(f"Task #{saved['number']} already had those values; nothing changed.")
        return
    report_task(out, saved, "Updated")


def start_tasks(args: argparse.Namespace) -> None:
    """Mark tasks in progress."""
    _run_batch(args, "update", "Started", changes={"status": "IN_PROGRESS"})


def complete_tasks(args: argparse.Namespace) -> None:
    """Mark tasks done."""
    _run_batch(args, "complete", "Completed")


def remove_tasks(args: argparse.Namespace) -> None:
    """Delete tasks (asks first, unless --yes)."""
    _run_batch(args, "delete", "Deleted", confirm=not args.yes)


def import_tasks(args: argparse.Namespace) -> int:
    """Create the tasks of a file, up to 1,000 per request."""
    from taskflow_cli.commands.task_import import import_tasks as run

    return run(args)


def task_stats(args: argparse.Namespace) -> None:
    """Count your tasks by status and priority, and the overdue ones."""
    out = output_for(args)
    with client_for(args) as client:
        counts = client.task_stats()
    if not out.wants_table:
        out.json(counts)
        return
    from taskflow_cli.views import stats_view

    out.table(stats_view(counts))


def _run_batch(
    args: argparse.Namespace, action: str, verb: str, *, changes: Json | None = None,
    confirm: bool = False,
) -> int:  # fmt: skip
    """Resolve the numbers in one request, then apply `action` to them all in one more."""
    out = output_for(args)
    if confirm and not out.interactive:
        from taskflow_cli.errors import BadUsage

        raise BadUsage("refusing to delete without asking: pass --yes (no terminal to ask on)")
    with client_for(args) as client:
        tasks = client.tasks_by_number(args.numbers)
        if confirm and not _confirm_delete(out, tasks):
            out.note("Nothing deleted.")
            return 0
        result = client.batch(action, [task["id"] for task in tasks], changes)
    numbers = {task["id"]: task["number"] for task in tasks}
    if not out.wants_table:
        out.json(result)
    elif result["succeeded"]:
        done = ", ".join(f"#{numbers[task_id]}" for task_id in result["succeeded"])
        out.message(f"{verb} {done}.")
    for failure in result["failed"]:
        out.warn(f"task #{numbers.get(failure['id'], '?')}: {failure['error']}")
    return 1 if result["failed"] else 0


def _confirm_delete(out: Output, tasks: list[Json]) -> bool:
    for task in tasks:
        out.note(f"  #{task['number']}  {task['title']}")
    noun = "this task" if len(tasks) == 1 else f"these {len(tasks)} tasks"
    return out.confirm(f"Delete {noun}?")


def report_task(out: Output, task: Json, verb: str) -> None:
    """`Added task #3: Title, due Fri 2026-12-11 17:00 (local)`, or the task's JSON."""
    if not out.wants_table:
        out.json(task)
        return
    line = f"{verb} task #{task['number']}: {task['title']}"
    if task.get("dueDate"):
        from taskflow_cli.dates import exact_local, parse_instant

        line += f", due {exact_local(parse_instant(task['dueDate']))}"
    out.message(line)


def complete_numbers(prefix: str, parsed_args: argparse.Namespace, **_: object) -> dict[str, str]:
    """Shell completion (argcomplete) of a task number: your open tasks, with their titles."""
    query = {"status": ",".join(OPEN), "sort": "urgency", "order": "asc", "limit": 100}
    with client_for(parsed_args, note=False) as client:
        tasks = client.page("/tasks", query)["data"]
    return {
        str(task["number"]): task["title"]
        for task in tasks
        if str(task["number"]).startswith(prefix.removeprefix("#"))
    }


def _task_table(tasks: list[Json]) -> TableData:
    from taskflow_cli.views import task_table
    from taskflow_core.domain.clock import utcnow

    return task_table(tasks, utcnow())
