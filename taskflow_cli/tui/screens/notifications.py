"""The notifications panel: unread notifications, newest first; mark them read."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from taskflow_cli.tui.failures import end_session_if_lost, explain
from taskflow_cli.tui.text import ago

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from textual.app import ComposeResult
    from textual.binding import BindingType

    from taskflow_cli.tui.api import TaskflowApi
    from taskflow_cli.tui.models import Notification


class NotificationsModal(ModalScreen[int]):
    """A panel on the right; dismisses with how many notifications were marked read.

    After each marking the list is fetched again and `on_marked` runs (the dashboard
    reloads its counts), so the panel and the unread count in the header agree.
    """

    CSS_PATH = "../styles/modals.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,i,q", "close", "close"),
        Binding("a", "read_all", "mark all read"),
    ]

    def __init__(
        self, api: TaskflowApi, *, now: datetime, on_marked: Callable[[], object] | None = None
    ) -> None:
        super().__init__()
        self.api = api
        self.now = now
        self._on_marked = on_marked
        self.marked = 0
        self._items: dict[str, Notification] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="inbox") as panel:
            panel.border_title = "Notifications"
            panel.border_subtitle = "enter: read · a: all · esc"
            yield OptionList(id="inbox-list")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.loading = True
        options.focus()
        self._load()

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def _load(self) -> None:
        items = self.api.unread_notifications()
        self.app.call_from_thread(self._show, items)

    def _show(self, items: list[Notification]) -> None:
        self._items = {item.id: item for item in items}
        options = self.query_one(OptionList)
        options.loading = False
        options.clear_options()
        if not items:
            options.add_option(Option(Content.styled("Nothing unread.", "$text-muted"), id=""))
            return
        entries: list[Option | None] = []
        for item in items:
            if entries:
                entries.append(None)  # a separator line
            entries.append(
                Option(
                    Content.assemble(
                        (item.message, "bold"), "\n", (ago(item.created, self.now), "$text-muted")
                    ),
                    id=item.id,
                )
            )
        options.add_options(entries)
        options.highlighted = 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        item = self._items.get(event.option.id or "")
        if item is not None:
            self._mark([item])

    def action_read_all(self) -> None:
        """Every unread notification, shown here or not, in one request."""
        if self._items:
            self._mark(None)

    @work(thread=True, group="mark", exit_on_error=False)
    def _mark(self, items: list[Notification] | None) -> None:
        marked = self.api.mark_all_read() if items is None else self.api.mark_read(items)
        self.app.call_from_thread(self._marked, marked)

    def _marked(self, count: int) -> None:
        self.marked += count
        self._load()
        if self._on_marked is not None:
            self._on_marked()

    def action_close(self) -> None:
        self.dismiss(self.marked)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        error = event.worker.error
        if event.state is not WorkerState.ERROR or error is None:
            return
        if end_session_if_lost(self, error):
            return
        self.query_one(OptionList).loading = False
        self.notify(explain(error), severity="error")
