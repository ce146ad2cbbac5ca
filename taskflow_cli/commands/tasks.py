"""`taskflow tasks …`: your tasks, addressed by their number or by a filter
(`project:home +bills`)."""

from __future__ import annotations

from taskflow_cli import arguments
from taskflow_cli.arguments import (
    add_output_options,
    add_page_options,
    add_words,
    bad_usage,
    client_for,
    commands,
    output_for,
)
from taskflow_cli.completers import (
    complete_labels,
    complete_numbers,
    complete_projects,
    complete_words,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any

    from taskflow_cli.client import ApiClient
    from taskflow_cli.output import Output, TableData
    from taskflow_cli.task_filter import TaskFilter

    Json = dict[str, Any]

# --sort word -> (the API's sort, its natural order).
SORTS = {
    "urgency": ("urgency", "asc"),
    "due": ("dueDate", "asc"),
    "priority": ("priority", "desc"),
    "created": ("createdAt", "desc"),
    "status": ("status", "asc"),
    "title": ("title", "asc"),
    "number": ("number", "asc"),
    "project": ("project", "asc"),
}
LIST_HELP = """\
List your open tasks (pending and in progress), most urgent first: overdue,
then due soonest, then undated; ties by priority, high first. Filters narrow
the list; --include-done adds the done tasks. Filter words: project:NAME (and
the projects inside it; project: alone for tasks in no project), +label,
-label (without it), pri:P, status:S, task numbers; other words are searched
for in titles and descriptions.

  taskflow tasks list project:home +bills
  taskflow tasks list -s done --sort created
  taskflow tasks list -p high --due-before friday
  taskflow tasks list --include-done --all -o csv > tasks.csv"""
ADD_HELP = """\
Add a task. Words in the title set its fields: project:NAME, +label, due:WHEN,
pri:low|medium|high (or l, m, h), status:S. A word written \\+word, and every
word after --, stays in the title as it is.

  taskflow tasks add Pay rent project:home +bills due:friday pri:high
  taskflow tasks add "Write the report" --priority high --due "friday 17:00"
  taskflow tasks add Read about -- +tags and due:dates"""
EDIT_HELP = """\
Change tasks. With one number and no changes, edit the task in $EDITOR.
After the numbers, words say what to change: project:NAME (project: alone
takes the task out of its project), +label, -label, due:WHEN (due: alone:
none), pri:P, status:S; other words are the new title.

Without numbers, the words are a filter (as in `tasks list`) and the options
say what to change in every task that matches; you are asked first when more
than 3 match (--yes for scripts).

  taskflow tasks edit 12 +urgent -later project:work
  taskflow tasks edit 12 --title "Buy oat milk" --due eod
  taskflow tasks edit project:home +bills --priority high --label finance"""
SELECT_HELP = """\
Task numbers, or a filter as in `tasks list` (project:home +bills -later
pri:high, search words): with a filter, every open task that matches.
{asked}"""
DUE_HELP = "e.g. 2026-12-01, 2026-12-01 17:00, tomorrow 17:00, friday, in 3 days, eod"


def register(parser: argparse.ArgumentParser, words: list[str]) -> None:
    commands(
        parser,
        words,
        {
            "list": (list_tasks, "list your open tasks, most urgent first", _list_arguments),
            "add": (add_task, "add a task", _add_arguments),
            "show": (show_task, "show one task", _show_arguments),
            "edit": (edit_task, "change tasks; one with no changes: edit it in $EDITOR",
                     _edit_arguments),
            "start": (start_tasks, "mark tasks in progress", _batch_arguments),
            "done": (complete_tasks, "mark tasks done", _batch_arguments),
            "rm": (remove_tasks, "delete tasks (asks first, unless --yes)", _remove_arguments),
            "stats": (task_stats, "count tasks by status, priority, project and label",
                      add_output_options),
            "import": (import_tasks, "create many tasks from a file", _import_arguments),
        },
    )  # fmt: skip


def _list_arguments(listing: argparse.ArgumentParser) -> None:
    listing.description = LIST_HELP
    add_words(
        listing, "words", metavar="FILTER", help="filter words (see above)",
        completer=complete_words,
    )  # fmt: skip
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
    listing.add_argument(
        "-P", "--project", metavar="NAME", help="a project (and the projects inside it)"
    ).completer = complete_projects  # type: ignore[attr-defined]
    listing.add_argument("--no-project", action="store_true", help="only tasks in no project")
    listing.add_argument(
        "-l", "--label", action="append", metavar="NAME",
        help="tasks with this label (repeatable: with all of them)",
    ).completer = complete_labels  # type: ignore[attr-defined]  # fmt: skip
    listing.add_argument(
        "--any-label", action="append", metavar="NAME",
        help="tasks with at least one of these labels (repeatable)",
    ).completer = complete_labels  # type: ignore[attr-defined]  # fmt: skip
    listing.add_argument("--search", help="words in the title or description")
    listing.add_argument("--due-before", type=arguments.due, metavar="DATE", help=DUE_HELP)
    listing.add_argument("--due-after", type=arguments.due, metavar="DATE")
    listing.add_argument("--overdue", action="store_true", help="only overdue tasks")
    listing.add_argument(
        "--sort", choices=tuple(SORTS), type=str.lower, default="urgency", metavar="FIELD",
        help="urgency (default), due, priority, created, status, title, number or project",
    )  # fmt: skip
    listing.add_argument(
        "--order", choices=("asc", "desc"), type=str.lower, metavar="asc|desc",
        help="the sort's direction (default: soonest, highest, newest first; A to Z)",
    )  # fmt: skip
    add_page_options(listing)
    add_output_options(listing, lists=True)


def _add_arguments(add: argparse.ArgumentParser) -> None:
    add.description = ADD_HELP
    add_words(add, "words", metavar="WORDS", help="what to do", completer=complete_words)
    _task_fields(add)
    add_output_options(add)


def _show_arguments(show: argparse.ArgumentParser) -> None:
    show.add_argument(
        "number", type=arguments.number, help="the task's number"
    ).completer = complete_numbers  # type: ignore[attr-defined]
    add_output_options(show)


def _edit_arguments(edit: argparse.ArgumentParser) -> None:
    edit.description = EDIT_HELP
    edit.epilog = "If a task changed since it was read, you are shown how and asked first."
    add_words(
        edit, "words", metavar="NUMBER|FILTER", help="task numbers and changes, or a filter",
        completer=complete_words,
    )  # fmt: skip
    edit.add_argument("-t", "--title", help="a new title")
    _task_fields(edit)
    edit.add_argument("--no-due", action="store_true", help="remove the due date")
    edit.add_argument("--no-project", action="store_true", help="take out of its project")
    edit.add_argument(
        "--unlabel", action="append", metavar="NAME", help="take a label off (repeatable)"
    ).completer = complete_labels  # type: ignore[attr-defined]
    _selection_options(edit, include_done=True)
    add_output_options(edit)


def _batch_arguments(batch: argparse.ArgumentParser) -> None:
    batch.description = SELECT_HELP.format(
        asked="You are asked first when a filter keeps more than 3 (--yes for scripts)."
    )
    add_words(
        batch, "words", metavar="NUMBER|FILTER", help="e.g. 12 13, or project:home +bills",
        completer=complete_words,
    )  # fmt: skip
    _selection_options(batch, include_done=False)
    add_output_options(batch)


def _remove_arguments(remove: argparse.ArgumentParser) -> None:
    remove.description = SELECT_HELP.format(
        asked="You are asked first (--yes for scripts); --include-done for done tasks too."
    )
    add_words(
        remove, "words", metavar="NUMBER|FILTER", help="e.g. 12 13, or +junk",
        completer=complete_words,
    )  # fmt: skip
    _selection_options(remove, include_done=True)
    add_output_options(remove)


def _selection_options(parser: argparse.ArgumentParser, *, include_done: bool) -> None:
    parser.add_argument("-y", "--yes", action="store_true", help="do not ask")
    if include_done:
        parser.add_argument(
            "--include-done", action="store_true", help="a filter keeps done tasks too"
        )


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
    parser.add_argument(
        "-P", "--project", metavar="NAME", help="its project (a name, or a path: home/garden)"
    ).completer = complete_projects  # type: ignore[attr-defined]
    parser.add_argument(
        "-l", "--label", action="append", metavar="NAME", help="a label (repeatable)"
    ).completer = complete_labels  # type: ignore[attr-defined]


def list_tasks(args: argparse.Namespace) -> None:
    """List your tasks: open ones, most urgent first, unless told otherwise."""
    from taskflow_cli import listing
    from taskflow_cli.task_filter import filter_from_words
    from taskflow_cli.wire import TASK_FIELDS

    out = output_for(args)
    found = filter_from_words(arguments.task_words(args.words), " ".join(args.words))
    _add_filter_options(found, args)
    sort, natural_order = SORTS[args.sort]
    query = found.query() | {
        "dueBefore": args.due_before,
        "dueAfter": args.due_after,
        "overdue": "true" if args.overdue else None,
        "sort": sort,
        "order": args.order or natural_order,
        "limit": args.limit,
        "page": args.page,
    }
    noun = found.noun
    paths: dict[str, str] = {}
    with client_for(args) as client:
        found.resolve(client)
        query["project"] = found.project
        try:
            tasks = listing.fetch(
                client, "/tasks", query, every_page=args.every_page, out=out, noun=noun
            )
        except Exception as error:
            raise found.explain(client, error) from None
        if out.wants_table and any(task.get("projectId") for task in tasks.items):
            paths = _project_paths(client)
    listing.show(
        out, tasks, fields=TASK_FIELDS, table=lambda items: _task_table(items, paths), noun=noun
    )


def _add_filter_options(found: TaskFilter, args: argparse.Namespace) -> None:
    """Add the options of `tasks list` to the filter its words say."""
    found.statuses += args.status or []
    found.include_done = args.include_done
    found.priorities += args.priority or []
    if args.search is not None:
        if found.search is not None:
            raise bad_usage("give the search as words or with --search, not both")
        found.search = args.search
    if args.project is not None:
        if found.project is not None and found.project.casefold() != args.project.casefold():
            raise bad_usage("the project is given twice, as a word and as an option; give it once")
        found.project = args.project
    if args.no_project:
        found.no_project = True
    if found.no_project and found.project is not None:
        raise bad_usage("pass a project or --no-project, not both")
    found.labels += args.label or []
    found.any_labels += args.any_label or []


def add_task(args: argparse.Namespace) -> None:
    """Add a task."""
    from taskflow_cli.task_changes import read_changes

    out = output_for(args)
    if not args.words:
        raise bad_usage("what to do? `taskflow tasks add Pay rent project:home +bills`")
    read = arguments.task_words(args.words)
    if read.unlabels:
        word = "-" + read.unlabels[0]
        raise bad_usage(
            f"{word!r}: a new task has no label to take off (write \\{word} to put the word "
            "in the title)"
        )
    changes = read_changes(args, read, title=True)
    fields: Json = {"title": read.text} | changes.fields
    if changes.labels:
        fields["labels"] = changes.labels
    with client_for(args) as client:
        project, tree = changes.resolve_project(client)
        task = client.create_task(fields | project)
    report_task(out, task, "Added", tree.path_of(task["projectId"]) if tree else "")


def show_task(args: argparse.Namespace) -> None:
    """Show one task."""
    out = output_for(args)
    path = ""
    with client_for(args) as client:
        task = client.task_by_number(args.number)
        if out.wants_table and task.get("projectId"):
            path = _project_paths(client).get(task["projectId"], "")
    if not out.wants_table:
        out.json(task)
        return
    from taskflow_cli.views import task_detail
    from taskflow_core.domain.clock import utcnow

    out.table(task_detail(task, utcnow(), path))


def edit_task(args: argparse.Namespace) -> int:
    """Change tasks: one by its number (in $EDITOR when no change is given), several by
    their numbers or by a filter."""
    from taskflow_cli.commands.task_batch import edit_tasks

    return edit_tasks(args)


def start_tasks(args: argparse.Namespace) -> int:
    """Mark tasks in progress."""
    from taskflow_cli.commands.task_batch import run_batch

    return run_batch(args, "update", "Started", changes={"status": "IN_PROGRESS"})


def complete_tasks(args: argparse.Namespace) -> int:
    """Mark tasks done."""
    from taskflow_cli.commands.task_batch import run_batch

    return run_batch(args, "complete", "Completed")


def remove_tasks(args: argparse.Namespace) -> int:
    """Delete tasks (asks first, unless --yes)."""
    from taskflow_cli.commands.task_batch import run_batch

    return run_batch(args, "delete", "Deleted")


def import_tasks(args: argparse.Namespace) -> int:
    """Create the tasks of a file, up to 1,000 per request."""
    from taskflow_cli.commands.task_import import import_tasks as run

    return run(args)


def task_stats(args: argparse.Namespace) -> None:
    """Count your tasks by status, priority, project and label, and the overdue ones."""
    out = output_for(args)
    with client_for(args) as client:
        counts = client.task_stats()
    if not out.wants_table:
        out.json(counts)
        return
    from taskflow_cli.views import stats_view

    for index, table in enumerate(stats_view(counts)):
        if index:
            out.message("")
        out.table(table)


def report_task(out: Output, task: Json, verb: str, project_path: str = "") -> None:
    """`Added task #3: Title, in home, +bills, due Fri 2026-12-11 17:00 (local)`, or the
    task's JSON."""
    if not out.wants_table:
        out.json(task)
        return
    line = f"{verb} task #{task['number']}: {task['title']}"
    if project_path:
        line += f", in {project_path}"
    if task.get("labels"):
        line += ", " + " ".join(f"+{name}" for name in task["labels"])
    if task.get("dueDate"):
        from taskflow_cli.dates import exact_local, parse_instant

        line += f", due {exact_local(parse_instant(task['dueDate']))}"
    out.message(line)


def _project_paths(client: ApiClient) -> dict[str, str]:
    """Each project's path by id (one request, archived ones included)."""
    from taskflow_cli.project_tree import fetch_tree

    tree = fetch_tree(client)
    return {project["id"]: tree.path(project) for project in tree.projects}


def _task_table(tasks: list[Json], project_paths: dict[str, str]) -> TableData:
    from taskflow_cli.views import task_table
    from taskflow_core.domain.clock import utcnow

    return task_table(tasks, utcnow(), project_paths)
