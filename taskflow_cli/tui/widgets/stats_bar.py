"""One line of counts: tasks by status, overdue (red when any), unread notifications."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.containers import HorizontalGroup
from textual.content import Content
from textual.message import Message
from textual.widgets import Label

if TYPE_CHECKING:
    from textual import events
    from textual.app import ComposeResult

    from taskflow_cli.tui.models import Stats


class StatsBar(HorizontalGroup):
    """Counts from `/tasks/stats`; a click on the unread count posts `InboxClicked`."""

    class InboxClicked(Message):
        """The person clicked the unread notifications count."""

    def compose(self) -> ComposeResult:
        yield Label("loading…", id="counts")
        yield Label("", id="overdue")
        unread = Label("", id="unread")
        unread.tooltip = "Notifications (i)"
        yield unread
        yield Label("", id="connection")

    def show(self, stats: Stats) -> None:
        self.query_one("#counts", Label).update(
            Content.assemble(
                (f"{stats.pending}", "bold"),
                " pending  ",
                (f"{stats.in_progress}", "bold $text-primary"),
                " in progress  ",
                (f"{stats.completed}", "bold $text-success"),
                " done",
            )
        )
        overdue = self.query_one("#overdue", Label)
        overdue.update(f"{stats.overdue} overdue")
        overdue.set_class(stats.overdue > 0, "-alert")
        unread = self.query_one("#unread", Label)
        unread.update(f"{stats.unread} unread")
        unread.set_class(stats.unread > 0, "-alert")

    def show_connection(self, problem: str | None) -> None:
        """`problem` (e.g. "offline") after the count line, or nothing when all is well."""
        label = self.query_one("#connection", Label)
        label.update(problem or "")
        label.display = problem is not None

    def on_click(self, event: events.Click) -> None:
        if event.widget is not None and event.widget.id == "unread":
            self.post_message(self.InboxClicked())
