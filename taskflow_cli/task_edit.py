"""Editing one task: in $EDITOR, and safely against someone else's change (If-Match)."""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from taskflow_cli.client import ApiClient
    from taskflow_cli.output import Output

    Json = dict[str, Any]

EDITABLE = ("title", "status", "priority", "due")
_HEADER = """\
# Editing task #{number}. Lines starting with '#' are ignored; save and quit to apply,
# or quit without saving to cancel. status: pending, in-progress or done;
# priority: low, medium or high; due: e.g. 2026-12-01 17:00, tomorrow, friday, in 3 days,
# or empty for none. Everything after 'description:' is the description.
"""


def save_changes(
    client: ApiClient,
    out: Output,
    task: Json,
    changes: Json,
    *,
    relabel: tuple[list[str], list[str]] | None = None,
    project_paths: Mapping[str, str] | None = None,
) -> Json:
    """PATCH `changes` only if the task is still as read (If-Match).

    If it changed meanwhile: changes to other fields than these are kept and these go on
    top; where the server's value and yours differ for the same field, each is shown (as
    read, theirs now, yours) and the person is asked before theirs is overwritten.
    `relabel` (labels to add, labels to take off) applies to the labels the task has at
    each attempt, so a label someone added meanwhile stays. `project_paths` names the
    projects in a conflict.
    """
    from taskflow_core.domain.errors import PreconditionFailed

    read = task
    while True:
        if relabel is not None:
            changes = _relabel(changes, read, *relabel)
        try:
            return client.update_task(task["id"], changes, version=read["version"])
        except PreconditionFailed:
            current = client.task(task["id"])
        clashes = [
            field
            for field in changes
            if field != "labels"
            and not _same(field, current.get(field), read.get(field))
            and not _same(field, current.get(field), changes[field])
        ]
        number = task["number"]
        if not clashes:
            out.note(f"Task #{number} changed on the server meanwhile; your changes go on top.")
            read = current
            continue
        from taskflow_cli.views import conflict_table

        title = f"Task #{number} changed on the server since you read it:"
        table = conflict_table(
            title, clashes, read, current, current | changes, project_paths=project_paths
        )
        out.table(table, stderr=True)
        if not out.interactive:
            raise PreconditionFailed(
                f"Task #{number} changed on the server since it was read; nothing was "
                "overwritten (run the command again to edit the new version)"
            )
        if not out.confirm("Overwrite theirs with yours?"):
            from taskflow_cli.errors import Declined

            raise Declined(f"Cancelled; task #{number} keeps the server's version")
        read = current


def _relabel(changes: Json, task: Json, add: list[str], remove: list[str]) -> Json:
    """`changes` with the labels `task` would have after `add` and `remove`; no `labels`
    when those are the ones it has."""
    from taskflow_cli.task_changes import relabelled

    labels = relabelled(task.get("labels") or [], add, remove)
    rest = {field: value for field, value in changes.items() if field != "labels"}
    return rest if labels == task.get("labels") else rest | {"labels": labels}


def _same(field: str, left: Any, right: Any) -> bool:
    """Equal values; due dates compared as instants (the API may write them differently)."""
    if field == "dueDate" and left is not None and right is not None:
        from taskflow_cli.dates import parse_instant

        return bool(parse_instant(left) == parse_instant(right))
    return bool(left == right)


def edit_in_editor(task: Json) -> Json:
    """Open the task in $VISUAL/$EDITOR and return the fields the person changed."""
    import shlex
    import subprocess
    import tempfile
    from pathlib import Path

    from taskflow_cli.errors import BadUsage

    text = render(task)
    with tempfile.TemporaryDirectory(prefix="taskflow-") as folder:
        path = Path(folder) / f"task-{task['number']}.txt"
        path.write_text(text, encoding="utf-8")
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        result = subprocess.run([*shlex.split(editor), str(path)], check=False)  # noqa: S603
        if result.returncode != 0:
            raise BadUsage(f"the editor ({editor}) exited with status {result.returncode}")
        edited = path.read_text(encoding="utf-8")
    if edited == text:
        return {}
    return changed_fields(task, parse(edited))


def render(task: Json) -> str:
    from taskflow_cli.dates import parse_instant

    due = ""
    if task.get("dueDate"):
        local = parse_instant(task["dueDate"]).astimezone()
        due = local.strftime("%Y-%m-%d %H:%M:%S" if local.second else "%Y-%m-%d %H:%M")
    lines = [
        _HEADER.format(number=task["number"]),
        f"title: {task['title']}",
        f"status: {task['status'].lower().replace('_', '-')}",
        f"priority: {task['priority'].lower()}",
        f"due: {due}",
        "description:",
        task.get("description") or "",
    ]
    return "\n".join(lines) + "\n"


def parse(text: str) -> dict[str, str]:
    """The `key: value` lines, then the description (everything after `description:`)."""
    from taskflow_cli.errors import BadUsage

    fields: dict[str, str] = {}
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("#") or not line.strip():
            continue
        key, separator, value = line.partition(":")
        key = key.strip().lower()
        if key == "description" and separator:
            rest = [value.strip()] if value.strip() else []
            fields["description"] = "\n".join(rest + lines[index + 1 :]).strip("\n")
            break
        if key not in EDITABLE or not separator:
            raise BadUsage(f"cannot read line {index + 1} of the edited task: {line!r}")
        fields[key] = value.strip()
    return fields


def changed_fields(task: Json, edited: dict[str, str]) -> Json:
    """API changes for the edited values that differ from the task."""
    import argparse

    from taskflow_cli import arguments
    from taskflow_cli.config import read_config
    from taskflow_cli.dates import as_api, parse_instant
    from taskflow_cli.due import UnreadableDate, parse_due
    from taskflow_cli.errors import BadUsage

    changes: Json = {}
    if "title" in edited and edited["title"] != task["title"]:
        changes["title"] = edited["title"]
    if "description" in edited and edited["description"] != (task.get("description") or ""):
        changes["description"] = edited["description"] or None
    for field, parse in (("status", arguments.status), ("priority", arguments.priority)):
        if field in edited:
            try:
                value = parse(edited[field])
            except argparse.ArgumentTypeError as error:
                raise BadUsage(f"{field}: {error}") from None
            if value != task[field]:
                changes[field] = value
    if "due" in edited:
        old = parse_instant(task["dueDate"]) if task.get("dueDate") else None
        order = read_config().get("date_order")
        try:
            new = parse_due(edited["due"], date_order=order) if edited["due"] else None
        except UnreadableDate as error:
            raise BadUsage(f"due: {error}") from None
        if new != old:
            changes["dueDate"] = as_api(new) if new else None
    return changes
