"""Editing one task: in $EDITOR, and safely against someone else's change (If-Match)."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from taskflow_cli.errors import BadUsage
from taskflow_core.domain.errors import PreconditionFailed, TaskflowError

if TYPE_CHECKING:
    from taskflow_cli.client import ApiClient
    from taskflow_cli.output import Output

Json = dict[str, Any]
EDITABLE = ("title", "status", "priority", "due")
_HEADER = """\
# Editing task #{number}. Lines starting with '#' are ignored; save and quit to apply,
# or quit without saving to cancel. status: pending, in-progress or completed;
# priority: low, medium or high; due: e.g. 2026-12-01 17:00, tomorrow, friday, in 3 days,
# or empty for none. Everything after 'description:' is the description.
"""


class EditCancelled(TaskflowError):
    """The person chose not to overwrite someone else's change."""


def save_changes(client: ApiClient, out: Output, task: Json, changes: Json) -> Json:
    """PATCH `changes` only if the task is still as read; on a conflict, show what changed
    on the server and ask before overwriting it."""
    base = task
    while True:
        try:
            return client.update_task(task["id"], changes, version=base["version"])
        except PreconditionFailed:
            current = client.task(task["id"])
        from taskflow_cli.views import changes_table, task_changes

        number = task["number"]
        out.table(
            changes_table(
                f"Task #{number} changed on the server since it was read:",
                task_changes(base, current),
            ),
            stderr=True,
        )
        out.table(
            changes_table("Your changes:", task_changes(current, current | changes)),
            stderr=True,
        )
        if not out.interactive:
            raise PreconditionFailed(
                f"Task #{number} changed on the server since it was read; nothing was "
                "overwritten (run the command again to edit the new version)"
            )
        if not out.confirm("Overwrite the server's version with your changes?"):
            raise EditCancelled(f"Cancelled; task #{number} keeps the server's version")
        base = current


def edit_in_editor(task: Json) -> Json:
    """Open the task in $VISUAL/$EDITOR and return the fields the person changed."""
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
    from taskflow_cli.dates import UnreadableDate, parse_due, parse_instant
    from taskflow_cli.options import Priority, Status

    changes: Json = {}
    if "title" in edited and edited["title"] != task["title"]:
        changes["title"] = edited["title"]
    if "description" in edited and edited["description"] != (task.get("description") or ""):
        changes["description"] = edited["description"] or None
    for field, kind in (("status", Status), ("priority", Priority)):
        if field in edited:
            try:
                value = kind(edited[field].lower()).api
            except ValueError:
                choices = ", ".join(member.value for member in kind)
                raise BadUsage(f"{field} must be one of {choices}") from None
            if value != task[field]:
                changes[field] = value
    if "due" in edited:
        old = parse_instant(task["dueDate"]) if task.get("dueDate") else None
        try:
            new = parse_due(edited["due"]) if edited["due"] else None
        except UnreadableDate as error:
            raise BadUsage(f"due: {error}") from None
        if new != old:
            changes["dueDate"] = new.isoformat().replace("+00:00", "Z") if new else None
    return changes
