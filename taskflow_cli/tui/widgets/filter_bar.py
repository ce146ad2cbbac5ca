"""Status and priority toggles, the sort, and a search box that waits for a pause in typing;
its `+label` and `-label` words (read as the CLI reads them) filter by label."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from textual.containers import HorizontalGroup
from textual.message import Message
from textual.widgets import Input, Label

from taskflow_cli.task_words import UnreadableWords, read_words
from taskflow_cli.tui.query import Scope, TaskFilters

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

    class WordsIgnored(Message):
        """The search box, once left, held words it does not filter by (`due:friday`)."""

        def __init__(self, reason: str) -> None:
            super().__init__()
            self.reason = reason

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
        yield Input(placeholder="/ search, +label -label", id="search", compact=True)

    def on_mount(self) -> None:
        self._show()

    # --- called by the screen -----------------------------------------------------------

    def cycle_status(self) -> None:
        self._set(self.filters.next_status())

    def cycle_priority(self) -> None:
        self._set(self.filters.next_priority())

    def cycle_sort(self) -> None:
        self._set(self.filters.next_sort())

    def set_scope(self, scope: Scope) -> None:
        """Show the tasks of this project (or all, or those in none)."""
        self._set(replace(self.filters, scope=scope))

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
        self._leave_search()

    def _search_now(self) -> str:
        """Filter by what the box holds; returns why some of its words were ignored, if
        they were (said only once the person leaves the box: mid-word, most are)."""
        if self._pending_search is not None:
            self._pending_search.stop()
            self._pending_search = None
        text = self.query_one("#search", Input).value
        try:
            words = read_words([text])
        except UnreadableWords as error:
            return f"{error}; the search box filters by words, +label and -label only"
        ignored = ""
        if any(value is not None for value in (words.project, words.due, words.priority)) or (
            words.status is not None
        ):
            ignored = (
                "The search box filters by words, +label and -label; for the project use "
                "the sidebar (b), for status and priority f and p."
            )
        self._set(
            replace(
                self.filters,
                search=words.text,
                labels=tuple(words.labels),
                not_labels=tuple(words.unlabels),
            )
        )
        return ignored

    def _leave_search(self) -> None:
        ignored = self._search_now()
        if ignored:
            self.post_message(self.WordsIgnored(ignored))
        self.post_message(self.SearchLeft())

    def key_escape(self) -> None:
        if self.query_one("#search", Input).has_focus:
            self._leave_search()
