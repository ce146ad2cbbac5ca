"""Shell completion (argcomplete) of what commands take: task numbers (with their titles),
project and label names, and the words of a task or filter (`project:ho…`, `+bi…`). Only a
shell completing a line calls them."""

from __future__ import annotations

from taskflow_cli.arguments import client_for
from taskflow_cli.task_filter import OPEN

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse


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


def complete_projects(prefix: str, parsed_args: argparse.Namespace, **_: object) -> dict[str, str]:
    """Shell completion of a project's name: yours, with their paths."""
    from taskflow_cli.project_tree import fetch_tree

    with client_for(parsed_args, note=False) as client:
        tree = fetch_tree(client)
    key = prefix.casefold()
    return {
        project["name"]: tree.path(project)
        for _, project in tree.in_order()
        if project["name"].casefold().startswith(key)
    }


def complete_labels(prefix: str, parsed_args: argparse.Namespace, **_: object) -> dict[str, str]:
    """Shell completion of a label's name: yours, with their open tasks."""
    with client_for(parsed_args, note=False) as client:
        labels = client.labels()
    key = prefix.casefold()
    return {
        label["name"]: f"{label['openTasks']} open"
        for label in labels
        if label["name"].casefold().startswith(key)
    }


def complete_words(prefix: str, parsed_args: argparse.Namespace, **_: object) -> dict[str, str]:
    """Shell completion of a word: `project:NAME`, `+label`, `-label`, or (commands that
    take numbers) a task number."""
    from taskflow_cli.task_words import PROJECT_KEYS

    key, colon, value = prefix.partition(":")
    if colon and key.lower() in PROJECT_KEYS:
        names = complete_projects(value, parsed_args)
        return {f"{key}:{name}": path for name, path in names.items()}
    if prefix[:1] in ("+", "-") and prefix[1:2] != "-":
        names = complete_labels(prefix[1:], parsed_args)
        return {prefix[0] + name: about for name, about in names.items()}
    if getattr(parsed_args, "action", None) in ("done", "start", "rm", "edit"):
        return complete_numbers(prefix, parsed_args)
    return {}
