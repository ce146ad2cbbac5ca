"""What `tasks add` and `tasks edit` set, from their words (`Pay rent project:home +bills
due:friday pri:high`) and options, and how it becomes the API's fields: a task's own (POST,
PATCH) or a batch update's `changes`."""

from __future__ import annotations

from taskflow_cli.arguments import bad_usage
from taskflow_cli.task_words import CLEARED, unique_names

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any

    from taskflow_cli.client import ApiClient
    from taskflow_cli.project_tree import ProjectTree
    from taskflow_cli.task_words import TaskWords

    Json = dict[str, Any]


class Changes:
    """The fields to set. `fields` holds the plain ones (title, description, status,
    priority, dueDate: None clears it); `project` is a name or path (CLEARED: no project);
    `labels` are to add and `unlabels` to take off."""

    __slots__ = ("fields", "labels", "project", "unlabels")

    def __init__(self) -> None:
        self.fields: Json = {}
        self.project: str | None = None
        self.labels: list[str] = []
        self.unlabels: list[str] = []

    def __bool__(self) -> bool:
        return bool(self.fields or self.project is not None or self.labels or self.unlabels)

    def resolve_project(self, client: ApiClient) -> tuple[Json, ProjectTree | None]:
        """`{"projectId": …}` for the named project (or None for `project:`), and the tree
        it was found in; `{}` when the project is not to change."""
        if self.project is None:
            return {}, None
        if self.project == CLEARED:
            return {"projectId": None}, None
        from taskflow_cli.project_tree import fetch_tree

        tree = fetch_tree(client)
        return {"projectId": tree.get(self.project)["id"]}, tree

    def batch_changes(self, project: Json) -> Json:
        """The `changes` of `POST /tasks/batch` (`project`: from `resolve_project`)."""
        changes = self.fields | project
        if self.labels:
            changes["addLabels"] = self.labels
        if self.unlabels:
            changes["removeLabels"] = self.unlabels
        return changes


def read_changes(args: argparse.Namespace, read: TaskWords, *, title: bool) -> Changes:
    """The changes the words and options say; the plain words are the title when `title`.
    A field given both as a word and as an option must say the same."""
    changes = Changes()
    options = vars(args)
    if read.words and not title:
        raise bad_usage(f"{read.text!r}: words other than project:, +label, -label, due:, pri:, "
                       "status: are not changes here")  # fmt: skip
    for field, word, option in (
        ("title", read.text or None, options.get("title")),
        ("description", None, options.get("description")),
        ("priority", read.priority, options.get("priority")),
        ("status", read.status, options.get("status")),
        ("dueDate", read.due, options.get("due")),
    ):
        value = _once(field, word, option)
        if value is not None:
            changes.fields[field] = value
    if options.get("no_due"):
        if "dueDate" in changes.fields:
            raise bad_usage("pass a due date or --no-due, not both")
        changes.fields["dueDate"] = None
    elif changes.fields.get("dueDate") == CLEARED:
        changes.fields["dueDate"] = None
    changes.project = _once("project", read.project, options.get("project"))
    if options.get("no_project"):
        if changes.project not in (None, CLEARED):
            raise bad_usage("pass a project or --no-project, not both")
        changes.project = CLEARED
    changes.labels = unique_names([*read.labels, *(options.get("label") or [])])
    changes.unlabels = unique_names([*read.unlabels, *(options.get("unlabel") or [])])
    both = {name.casefold() for name in changes.labels} & {n.casefold() for n in changes.unlabels}
    if both:
        raise bad_usage(f"label {sorted(both)[0]!r} is both added and taken off")
    return changes


def relabelled(labels: list[str], add: list[str], remove: list[str]) -> list[str]:
    """A task's `labels` with `add` after them and `remove` taken off, in any case (a label
    it has keeps its spelling)."""
    removed = {name.casefold() for name in remove}
    kept = [name for name in labels if name.casefold() not in removed]
    have = {name.casefold() for name in kept}
    return kept + [name for name in unique_names(add) if name.casefold() not in have]


def _once(field: str, word: Any, option: Any) -> Any:
    if word is not None and option is not None and word != option:
        name = {"dueDate": "due date"}.get(field, field)
        raise bad_usage(f"the {name} is given twice, as a word and as an option; give it once")
    return option if option is not None else word
