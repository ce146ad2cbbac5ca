"""The dashboard's keys: one table for the bindings, the footer, the help screen and the README."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.binding import Binding

if TYPE_CHECKING:
    from textual.binding import BindingType


@dataclass(frozen=True, slots=True)
class Key:
    """Args:
    keys: Textual key names, comma-separated (`e,enter`).
    action: the dashboard action it runs.
    label: the footer's word for it.
    help: what the help screen says it does.
    display: how the help screen writes the keys.
    """

    keys: str
    action: str
    label: str
    help: str
    display: str


DASHBOARD_KEYS = (
    Key("n", "new", "new", "New task (opens the form)", "n"),
    Key("e,enter", "edit", "edit", "Edit the task", "e / enter"),
    Key("s", "start", "start", "Start it (in progress)", "s"),
    Key("d", "done", "done", "Done (again: back to pending)", "d"),
    Key("x", "delete", "delete", "Delete it (asks first)", "x"),
    Key("slash", "search", "search", "Search words, +label -label", "/"),
    Key("f", "cycle_status", "status", "Cycle the status filter", "f"),
    Key("p", "cycle_priority", "priority", "Cycle the priority filter", "p"),
    Key("o", "cycle_sort", "sort", "Cycle the sort order", "o"),
    Key("b", "toggle_sidebar", "sidebar", "Projects sidebar", "b"),
    Key("r", "refresh", "refresh", "Refresh now", "r"),
    Key("left_square_bracket", "previous_page", "prev", "Previous page", "["),
    Key("right_square_bracket", "next_page", "next", "Next page", "]"),
    Key("i", "notifications", "inbox", "Notifications panel", "i"),
    Key("question_mark", "help", "help", "This help", "?"),
    Key("q", "quit", "quit", "Quit", "q"),
)
OTHER_KEYS = (
    ("up down pgup pgdn home end", "Move through the tasks (or click one)"),
    ("tab / shift+tab", "Move between projects, tasks and search"),
    ("enter (in projects)", "List that project's tasks, subprojects too"),
    ("escape", "Leave the search box; close a form or dialog"),
    ("ctrl+s", "Save the task form"),
    ("y / n", "Answer the delete question"),
    ("ctrl+p", "Command palette (themes: dark, light…)"),
)


def dashboard_bindings() -> list[BindingType]:
    """The dashboard's bindings, each shown in the footer under its label."""
    return [
        Binding(
            key.keys,
            key.action,
            key.label,
            key_display=key.display.split(" / ")[0],
            tooltip=key.help,
        )
        for key in DASHBOARD_KEYS
    ]
