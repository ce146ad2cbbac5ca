"""`taskflow labels …`: your labels, addressed by name (in any case). A label is created
when a task first carries it (`taskflow tasks add Pay rent +bills`)."""

from __future__ import annotations

from taskflow_cli.arguments import add_output_options, bad_usage, client_for, commands, output_for
from taskflow_cli.completers import complete_labels

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any

    from taskflow_cli.output import Output

    Json = dict[str, Any]


def register(parser: argparse.ArgumentParser, words: list[str]) -> None:
    commands(
        parser,
        words,
        {
            "list": (list_labels, "your labels, with open and overdue tasks", add_output_options),
            "rename": (rename_label, "rename a label (on every task that has it)",
                       _rename_arguments),
            "colour": (colour_label, "set or clear a label's colour", _colour_arguments),
            "rm": (remove_label, "delete a label; it comes off its tasks, which stay",
                   _remove_arguments),
        },
    )  # fmt: skip


def _name(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME", help="the label's name").completer = complete_labels  # type: ignore[attr-defined]


def _rename_arguments(parser: argparse.ArgumentParser) -> None:
    _name(parser)
    parser.add_argument("new_name", metavar="NEW", help="its new name")
    add_output_options(parser)


def _colour_arguments(parser: argparse.ArgumentParser) -> None:
    _name(parser)
    parser.add_argument("colour", metavar="COLOUR", help="#rrggbb, or none")
    add_output_options(parser)


def _remove_arguments(parser: argparse.ArgumentParser) -> None:
    _name(parser)
    parser.add_argument("-y", "--yes", action="store_true", help="do not ask")


def list_labels(args: argparse.Namespace) -> None:
    """List your labels, with their open and overdue tasks."""
    out = output_for(args)
    with client_for(args) as client:
        labels = client.labels()
    if not out.wants_table:
        out.json(labels)
        return
    if not labels:
        out.note(
            "No labels. A task's first +label creates it: `taskflow tasks add Pay rent +bills`"
        )
        return
    from taskflow_cli.views import label_table

    out.table(label_table(labels))


def rename_label(args: argparse.Namespace) -> None:
    """Rename a label; the tasks that carry it show the new name."""
    out = output_for(args)
    with client_for(args) as client:
        label = client.label_by_name(args.name)
        changed = client.call("PATCH", f"/labels/{label['id']}", body={"name": args.new_name})
    _report(out, changed, f"Renamed label {label['name']} to {changed['name']}.")


def colour_label(args: argparse.Namespace) -> None:
    """Set (#rrggbb) or clear (none) a label's colour."""
    out = output_for(args)
    colour = None if args.colour.strip().lower() in ("none", "") else args.colour
    with client_for(args) as client:
        label = client.label_by_name(args.name)
        changed = client.call("PATCH", f"/labels/{label['id']}", body={"colour": colour})
    _report(out, changed, f"Label {changed['name']}: colour {changed['colour'] or 'none'}.")


def remove_label(args: argparse.Namespace) -> None:
    """Delete a label: it comes off every task, which stay."""
    out = output_for(args)
    if not args.yes and not out.interactive:
        raise bad_usage("refusing to delete without asking: pass --yes (no terminal to ask on)")
    with client_for(args) as client:
        label = client.label_by_name(args.name)
        if not args.yes:
            tasks = client.page("/tasks", {"label": label["name"], "limit": 1})["meta"]["total"]
            if tasks:
                noun = "task" if tasks == 1 else "tasks"
                out.note(f"It is on {tasks} {noun} (done ones included); they stay, without it.")
            if not out.confirm(f"Delete label {label['name']}?"):
                out.note("Nothing deleted.")
                return
        client.call("DELETE", f"/labels/{label['id']}")
    out.message(f"Deleted label {label['name']}.")


def _report(out: Output, label: Json, message: str) -> None:
    if out.wants_table:
        out.message(message)
    else:
        out.json(label)
