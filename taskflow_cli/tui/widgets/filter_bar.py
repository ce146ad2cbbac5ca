"""Status and priority toggles, the sort, and a search box that waits for a pause in typing."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from textual.containers import HorizontalGroup
from textual.message import Message
from textual.widgets import Input, Label

from taskflow_cli.tui.query import TaskFilters

if TYPE_CHECKING:
    from textual import events
    from textual.app import ComposeResult
    from textual.timer import Timer


class FilterBar(HorizontalGroup):
    """Owns the filters; posts `Changed` whenever they change (search: after a pause)."""

    SEARCH_DELAY: ClassVar[float] = 0.3

    class Changed(Message):
        """The filters changed: a toggle, the sort, or the search text (after a pause)."""

        def __init__(self, filters: TaskFilters) -> None:
            super().__init__()
            self.filters = filters

    class SearchLeft(Message):
        """Enter or escape in the search box: the person is done typing."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.filters = TaskFilters()
        self._pending_search: Timer | None = None

    def compose(self) -> ComposeResult:
        # Toggles for the mouse (a click cycles them); the keyboard uses f, p and o.
        for name, key in (("status", "f"), ("priority", "p"), ("sort", "o")):
            toggle = Label("", id=name, classes="toggle")
            toggle.tooltip = f"Click or press {key} to change"
            yield toggle
        yield Input(placeholder="/ search", id="search", compact=True)

    def on_mount(self) -> None:
        self._show()

    # --- called by the screen -----------------------------------------------------------

    def cycle_status(self) -> None:
        self._set(self.filters.next_status())

    def cycle_priority(self) -> None:
        self._set(self.filters.next_priority())

    def cycle_sort(self) -> None:
        self._set(self.filters.next_sort())

    def focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    # --- inside ------------------------------------------------------------------------

    def _set(self, filters: TaskFilters) -> None:
        if filters == self.filters:
            return
        self.filters = filters
        self._show()
        self.post_message(self.Changed(filters))

    def _show(self) -> None:
        filters = self.filters
        self._label("status", f"status: {filters.status.label}", filters.status.values)
        self._label("priority", f"priority: {filters.priority.label}", filters.priority.values)
        arrow = "↑" if filters.sort.order == "asc" else "↓"
        self._label("sort", f"sort: {filters.sort.label} {arrow}", ())

    def _label(self, name: str, text: str, active: tuple[str, ...]) -> None:
        toggle = self.query_one(f"#{name}", Label)
        toggle.update(text)
        toggle.set_class(bool(active), "-filtering")

    def on_click(self, event: events.Click) -> None:
        cycles = {
            "status": self.cycle_status,
            "priority": self.cycle_priority,
            "sort": self.cycle_sort,
        }
        cycle = cycles.get(event.widget.id or "") if event.widget is not None else None
        if cycle is not None:
            event.stop()
            cycle()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self._pending_search is not None:
            self._pending_search.stop()
        self._pending_search = self.set_timer(self.SEARCH_DELAY, self._search_now)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._search_now()
        self.post_message(self.SearchLeft())

    def _search_now(self) -> None:
        if self._pending_search is not None:
            self._pending_search.stop()
            self._pending_search = None
        self._set(replace(self.filters, search=self.query_one("#search", Input).value.strip()))

    def key_escape(self) -> None:
        if self.query_one("#search", Input).has_focus:
            self._search_now()
            self.post_message(self.SearchLeft())
