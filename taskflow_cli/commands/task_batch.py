"""`tasks start|done|rm|edit` on tasks named by their numbers, or on every task a filter
keeps: one `POST /tasks/batch` per 1,000 tasks. A filter that keeps more than a few tasks
shows them and asks first (`rm` always asks), unless --yes; with no terminal to ask on, it
refuses without --yes."""

from __future__ import annotations

from taskflow_cli import arguments
from taskflow_cli.arguments import bad_usage, client_for, output_for

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any

    from taskflow_cli.client import ApiClient
    from taskflow_cli.output import Output
    from taskflow_cli.task_changes import Changes

    Json = dict[str, Any]

# A filter that keeps more tasks than this asks first.
ASK_ABOVE = 3
# Tasks listed before a question, and numbers named in a report.
SHOWN = 10
# action -> (the question's verb, what a "no" leaves).
QUESTIONS = {
    "Completed": ("Complete", "Nothing completed."),
    "Started": ("Start", "Nothing started."),
    "Deleted": ("Delete", "Nothing deleted."),
    "Updated": ("Change", "Nothing changed."),
}


def run_batch(
    args: argparse.Namespace, action: str, verb: str, *, changes: Json | None = None
) -> int:
    """Apply `action` to the tasks the command's words name, asking first where it must."""
    out = output_for(args)
    if action == "delete" and not args.yes and not out.interactive:
        raise bad_usage("refusing to delete without asking: pass --yes (no terminal to ask on)")
    numbers, rest = _leading_numbers(_words(args))
    with client_for(args) as client:
        tasks = _selected(client, args, numbers if not rest else None)
        if not _confirmed(out, args, tasks, verb, always=action == "delete", picked=not rest):
            return 0
        result = _batch(client, action, tasks, changes)
    return _report(out, tasks, result, verb)


def edit_tasks(args: argparse.Namespace) -> int:
    """`tasks edit`: one task by its number (with words or options, or in $EDITOR), several
    by their numbers, or those a filter keeps (changes from the options)."""
    from taskflow_cli.task_changes import read_changes

    numbers, rest = _leading_numbers(_words(args))
    if numbers:
        changes = read_changes(args, arguments.task_words(rest), title=True)
    else:
        changes = read_changes(args, arguments.task_words([]), title=False)
    if len(numbers) == 1:
        return _edit_one(args, numbers[0], changes)
    if "title" in changes.fields:
        if not numbers:
            raise bad_usage("a new title is for one task: give its number, not a filter")
        taken = " ".join(map(str, numbers))
        raise bad_usage(
            f"{taken} are read as task numbers, and a new title is for one task (for a title "
            f"that starts with a number, write \\{numbers[-1]} or use --title)"
        )
    if not changes:
        where = "after the numbers" if numbers else "with options, as the words are a filter"
        raise bad_usage(
            f"nothing to change: say the changes {where} (--priority, --status, --due, "
            "--project, --label, --unlabel, …)"
        )
    out = output_for(args)
    with client_for(args) as client:
        project, _ = changes.resolve_project(client)
        tasks = _selected(client, args, numbers or None)
        if not _confirmed(out, args, tasks, "Updated", always=False, picked=bool(numbers)):
            return 0
        result = _batch(client, "update", tasks, changes.batch_changes(project))
    return _report(out, tasks, result, "Updated")


def _edit_one(args: argparse.Namespace, number: int, changes: Changes) -> int:
    """Change one task with If-Match (see `task_edit.save_changes`), or in $EDITOR."""
    from taskflow_cli.commands.tasks import report_task
    from taskflow_cli.task_edit import edit_in_editor, save_changes

    out = output_for(args)
    if not changes and not out.interactive:
        raise bad_usage(
            "nothing to change: pass words (+label, project:NAME, …) or --title, "
            "--description, --priority, --status, --due or --no-due (or run in a terminal to "
            "edit in $EDITOR)"
        )
    path = ""
    with client_for(args) as client:
        task = client.task_by_number(number)
        if not changes:
            patch = edit_in_editor(task)
            if not patch:
                out.note(f"No changes; task #{number} is unchanged.")
                return 0
            saved = save_changes(client, out, task, patch)
        else:
            project, tree = changes.resolve_project(client)
            paths = {} if tree is None else {p["id"]: tree.path(p) for p in tree.projects}
            relabel = (changes.labels, changes.unlabels)
            saved = save_changes(
                client, out, task, changes.fields | project,
                relabel=relabel if any(relabel) else None, project_paths=paths,
            )  # fmt: skip
            path = paths.get(saved.get("projectId") or "", "")
    if saved["version"] == task["version"] and out.wants_table:
        out.message(f"Task #{saved['number']} already had those values; nothing changed.")
        return 0
    report_task(out, saved, "Updated", path)
    return 0


def _words(args: argparse.Namespace) -> list[str]:
    if not args.words:
        raise bad_usage(
            f"give task numbers or a filter (e.g. `taskflow tasks {args.action} 12 13` or "
            f"`taskflow tasks {args.action} project:home +bills`)"
        )
    words: list[str] = args.words
    return words


def _leading_numbers(words: list[str]) -> tuple[list[int], list[str]]:
    """The task numbers the words start with (`12`, `#12`), and the words after them."""
    numbers: list[int] = []
    for index, word in enumerate(words):
        digits = word.removeprefix("#")
        if not (digits.isascii() and digits.isdigit()):
            return numbers, words[index:]
        numbers.append(arguments.number(word))
    return numbers, []


def _selected(client: ApiClient, args: argparse.Namespace, numbers: list[int] | None) -> list[Json]:
    """The tasks with these numbers (NotFound names any missing), else every task the
    words' filter keeps (NotFound when none does)."""
    if numbers is not None:
        return client.tasks_by_number(numbers)
    from taskflow_cli.task_filter import filter_from_words, matching_tasks

    phrase = " ".join(args.words)
    found = filter_from_words(arguments.task_words(args.words), phrase)
    found.include_done = getattr(args, "include_done", False)
    tasks = matching_tasks(client, found)
    if not tasks:
        from taskflow_core.domain.errors import NotFound

        raise NotFound(f"No {found.noun} match {phrase!r}; nothing changed")
    return tasks


def _confirmed(
    out: Output, args: argparse.Namespace, tasks: list[Json], verb: str, *, always: bool,
    picked: bool,
) -> bool:  # fmt: skip
    """Whether to go on: yes with --yes, or when the tasks were named by number (and the
    action is not a deletion), or a filter kept only a few; else the person is asked."""
    if args.yes or not (always or (not picked and len(tasks) > ASK_ABOVE)):
        return True
    question, declined = QUESTIONS[verb]
    noun = "this task" if len(tasks) == 1 else f"these {len(tasks)} tasks"
    if not out.interactive:
        raise bad_usage(
            f"{len(tasks)} tasks match: pass --yes to {question.lower()} them all (no terminal "
            "to ask on)"
        )
    for task in tasks[:SHOWN]:
        out.note(f"  #{task['number']}  {task['title']}")
    if len(tasks) > SHOWN:
        out.note(f"  … and {len(tasks) - SHOWN} more")
    if out.confirm(f"{question} {noun}?"):
        return True
    out.note(declined)
    return False


def _batch(client: ApiClient, action: str, tasks: list[Json], changes: Json | None) -> Json:
    """One batch request per 1,000 tasks, their results as one."""
    from taskflow_cli.client import BULK_MAX

    ids = [task["id"] for task in tasks]
    merged: Json = {"action": action, "processed": 0, "succeeded": [], "failed": []}
    for start in range(0, len(ids), BULK_MAX):
        result = client.batch(action, ids[start : start + BULK_MAX], changes)
        merged["processed"] += result["processed"]
        merged["succeeded"] += result["succeeded"]
        merged["failed"] += result["failed"]
    return merged


def _report(out: Output, tasks: list[Json], result: Json, verb: str) -> int:
    numbers = {task["id"]: task["number"] for task in tasks}
    if not out.wants_table:
        out.json(result)
    elif result["succeeded"]:
        done = [f"#{numbers[task_id]}" for task_id in result["succeeded"]]
        text = ", ".join(done[:SHOWN])
        if len(done) > SHOWN:
            text = f"{len(done)} tasks: {text} and {len(done) - SHOWN} more"
        out.message(f"{verb} {text}.")
    for failure in result["failed"]:
        out.warn(f"task #{numbers.get(failure['id'], '?')}: {failure['error']}")
    return 1 if result["failed"] else 0
