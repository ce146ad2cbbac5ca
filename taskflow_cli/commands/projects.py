"""`taskflow projects …`: your projects, addressed by name (in any case) or by path
(`home/garden`), nested at most 3 deep."""

from __future__ import annotations

from taskflow_cli.arguments import add_output_options, bad_usage, client_for, commands, output_for
from taskflow_cli.completers import complete_projects

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable
    from typing import Any

    from taskflow_cli.client import ApiClient
    from taskflow_cli.output import Output
    from taskflow_cli.project_tree import ProjectTree

    Json = dict[str, Any]

ADD_HELP = """\
Create a project; inside another with --parent, or with a path:

  taskflow projects add home
  taskflow projects add home/garden          (the same as: garden --parent home)
  taskflow projects add work --colour '#3366ff'"""
RM_HELP = """\
Delete a project and the projects inside it. Their tasks stay, in no project.
Asks first, unless --yes."""


def register(parser: argparse.ArgumentParser, words: list[str]) -> None:
    commands(
        parser,
        words,
        {
            "list": (list_projects, "your projects as a tree, with open and overdue tasks",
                     _list_arguments),
            "add": (add_project, "create a project", _add_arguments),
            "rename": (rename_project, "rename a project", _rename_arguments),
            "move": (move_project, "put a project inside another, or at the top level",
                     _move_arguments),
            "colour": (colour_project, "set or clear a project's colour", _colour_arguments),
            "archive": (archive_project, "hide a project and its tasks from lists",
                        _name_arguments),
            "unarchive": (unarchive_project, "bring an archived project back",
                          _name_arguments),
            "rm": (remove_project, "delete a project; its tasks stay, in no project",
                   _remove_arguments),
        },
    )  # fmt: skip


def _name(parser: argparse.ArgumentParser, help: str = "the project's name or path") -> None:
    parser.add_argument("name", metavar="NAME", help=help).completer = complete_projects  # type: ignore[attr-defined]


def _list_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-a", "--archived", action="store_true", help="archived projects too")
    add_output_options(parser)


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = ADD_HELP
    parser.add_argument("name", metavar="NAME", help="its name, or parent/name")
    parser.add_argument(
        "--parent", metavar="NAME", help="the project to put it in"
    ).completer = complete_projects  # type: ignore[attr-defined]
    parser.add_argument("--colour", "--color", metavar="#RRGGBB", help="e.g. '#3366ff'")
    add_output_options(parser)


def _rename_arguments(parser: argparse.ArgumentParser) -> None:
    _name(parser)
    parser.add_argument("new_name", metavar="NEW", help="its new name")
    add_output_options(parser)


def _move_arguments(parser: argparse.ArgumentParser) -> None:
    _name(parser)
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument(
        "--parent", metavar="NAME", help="the project to put it in"
    ).completer = complete_projects  # type: ignore[attr-defined]
    where.add_argument("--top", action="store_true", help="make it a top-level project")
    add_output_options(parser)


def _colour_arguments(parser: argparse.ArgumentParser) -> None:
    _name(parser)
    parser.add_argument("colour", metavar="COLOUR", help="#rrggbb, or none")
    add_output_options(parser)


def _name_arguments(parser: argparse.ArgumentParser) -> None:
    _name(parser)
    add_output_options(parser)


def _remove_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = RM_HELP
    _name(parser)
    parser.add_argument("-y", "--yes", action="store_true", help="do not ask")


def list_projects(args: argparse.Namespace) -> None:
    """List your projects as a tree, with their open and overdue tasks."""
    from taskflow_cli.project_tree import ProjectTree

    out = output_for(args)
    with client_for(args) as client:
        projects = client.projects(include_archived=args.archived)
    if not out.wants_table:
        out.json(projects)
        return
    if not projects:
        out.note("No projects. Create one with `taskflow projects add NAME`.")
        return
    from taskflow_cli.views import project_table

    out.table(project_table(ProjectTree(projects).in_order()))


def add_project(args: argparse.Namespace) -> None:
    """Create a project."""
    from taskflow_cli.project_tree import SEPARATOR, fetch_tree

    out = output_for(args)
    name, parent = args.name.strip(), args.parent
    with client_for(args) as client:
        tree = fetch_tree(client)
        if parent is None and SEPARATOR in name:
            parent, _, name = name.rpartition(SEPARATOR)
        body: Json = {"name": name}
        if parent is not None:
            body["parentId"] = tree.get(parent)["id"]
        if args.colour is not None:
            body["colour"] = args.colour
        project = client.call("POST", "/projects", body=body)
    _report(out, project, f"Created project {tree.with_project(project).path(project)}.")


def rename_project(args: argparse.Namespace) -> None:
    """Rename a project."""
    _change(args, lambda _: {"name": args.new_name}, lambda old, new: f"Renamed {old} to {new}.")


def move_project(args: argparse.Namespace) -> None:
    """Put a project inside another, or at the top level."""

    def changes(tree: ProjectTree) -> Json:
        return {"parentId": None if args.top else tree.get(args.parent)["id"]}

    _change(args, changes, lambda old, new: f"Moved {old} to {new}.")


def colour_project(args: argparse.Namespace) -> None:
    """Set (#rrggbb) or clear (none) a project's colour."""
    colour = None if args.colour.strip().lower() in ("none", "") else args.colour
    _change(
        args,
        lambda _: {"colour": colour},
        lambda _, new: f"Project {new}: colour {colour or 'none'}.",
    )


def archive_project(args: argparse.Namespace) -> None:
    """Archive a project: it and the projects inside it leave lists, and so do their tasks
    (`taskflow tasks list project:NAME` still shows them)."""
    _change(
        args, lambda _: {"archived": True},
        lambda _, new: f"Archived {new}; `taskflow projects unarchive {new}` brings it back.",
    )  # fmt: skip


def unarchive_project(args: argparse.Namespace) -> None:
    """Bring an archived project back into lists."""
    _change(args, lambda _: {"archived": False}, lambda _, new: f"Unarchived {new}.")


def remove_project(args: argparse.Namespace) -> None:
    """Delete a project and those inside it; their tasks stay, in no project."""
    from taskflow_cli.project_tree import fetch_tree

    out = output_for(args)
    if not args.yes and not out.interactive:
        raise bad_usage("refusing to delete without asking: pass --yes (no terminal to ask on)")
    with client_for(args) as client:
        tree = fetch_tree(client)
        project = tree.get(args.name)
        path = tree.path(project)
        if not args.yes and not _confirm_remove(out, client, tree, project):
            out.note("Nothing deleted.")
            return
        client.call("DELETE", f"/projects/{project['id']}")
    out.message(f"Deleted project {path}.")


def _confirm_remove(out: Output, client: ApiClient, tree: ProjectTree, project: Json) -> bool:
    inside = tree.inside(project)
    query = {"project": project["id"], "limit": 1}
    tasks = client.page("/tasks", query)["meta"]["total"]
    what = f"project {tree.path(project)}"
    if inside:
        what += f" and the {_count(len(inside), 'project')} inside it"
    if tasks:
        stay = "it stays" if tasks == 1 else "they stay"
        out.note(f"Its {_count(tasks, 'task')} (done ones included): {stay}, in no project.")
    return out.confirm(f"Delete {what}?")


def _change(
    args: argparse.Namespace,
    changes: Callable[[ProjectTree], Json],
    said: Callable[[str, str], str],
) -> None:
    """PATCH the project that NAME names with `changes(tree)`; `said(old path, new path)`
    is what the command says it did."""
    from taskflow_cli.project_tree import fetch_tree

    out = output_for(args)
    with client_for(args) as client:
        tree = fetch_tree(client)
        project = tree.get(args.name)
        body = changes(tree)
        changed = client.call("PATCH", f"/projects/{project['id']}", body=body)
    old = tree.path(project)
    _report(out, changed, said(old, tree.with_project(changed).path(changed)))


def _report(out: Output, project: Json, message: str) -> None:
    if out.wants_table:
        out.message(message)
    else:
        out.json(project)


def _count(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
