"""The task table: one page of tasks, columns fitted to the width, the cursor kept on its task."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.message import Message
from textual.widgets import DataTable

from taskflow_cli.tui.catalog import Catalog
from taskflow_cli.tui.columns import Column, fit_columns
from taskflow_cli.tui.text import (
    PRIORITY_LABEL,
    PRIORITY_STYLE,
    STATUS_LABEL,
    STATUS_STYLE,
    Palette,
    ago,
    due_label,
)

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from textual import events
    from textual.theme import Theme

    from taskflow_cli.tui.models import Task


class TaskTable(DataTable[Text]):
    """A `DataTable` of tasks keyed by id; posts `Highlighted` and `Selected` with the task."""

    DEFAULT_CSS: ClassVar[str] = """
    TaskTable {
        scrollbar-gutter: stable;
        scrollbar-size-vertical: 1;
    }
    """

    class Highlighted(Message):
        """The cursor is on another task (or on none: the page is empty)."""

        def __init__(self, task: Task | None) -> None:
            super().__init__()
            self.task = task

    class Selected(Message):
        """The person chose the task (enter, or a click on the highlighted row)."""

        def __init__(self, task: Task) -> None:
            super().__init__()
            self.task = task

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row")
        self._tasks: dict[str, Task] = {}
        self._order: tuple[str, ...] = ()
        self._columns: tuple[Column, ...] = ()
        self._now: datetime | None = None
        self._sorted_by: tuple[str, bool] | None = None
        self._catalog = Catalog()

    @property
    def tasks(self) -> tuple[Task, ...]:
        return tuple(self._tasks[task_id] for task_id in self._order)

    @property
    def highlighted_task(self) -> Task | None:
        if not self._order or not 0 <= self.cursor_row < len(self._order):
            return None
        return self._tasks[self._order[self.cursor_row]]

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)

    def show_tasks(
        self,
        tasks: Sequence[Task],
        *,
        now: datetime,
        sorted_by: tuple[str, bool] | None = None,
        catalog: Catalog | None = None,
    ) -> None:
        """Show `tasks`, keeping the cursor on the same task if it is still there (else on
        the same row), and the rows scrolled where they were.

        Args:
            tasks: the page, in display order.
            now: the instant relative due dates are counted from.
            sorted_by: (column key, ascending) of the sort, for an arrow in that header.
            catalog: the projects, for their names (None: the ones it had).
        """
        previous = self.highlighted_task
        row = self.cursor_row
        self._tasks = {task.id: task for task in tasks}
        self._order = tuple(task.id for task in tasks)
        self._now = now
        if catalog is not None:
            self._catalog = catalog
        headers_change = sorted_by != self._sorted_by
        self._sorted_by = sorted_by
        if previous is not None and previous.id in self._tasks:
            row = self._order.index(previous.id)
        fitted = self._fit()
        self._rebuild(row, columns=headers_change or fitted != self._columns)

    def show_catalog(self, catalog: Catalog) -> None:
        """New project names (a rename, a project added): the rows show them."""
        if catalog != self._catalog:
            self._catalog = catalog
            if self._order:
                self._rebuild(self.cursor_row, columns=False)

    def move_to_task(self, task_id: str) -> None:
        """Put the cursor on this task, if it is on the page."""
        if task_id in self._tasks:
            self.move_cursor(row=self._order.index(task_id))

    def _rebuild(self, row: int, *, columns: bool) -> None:
        scroll_y = self.scroll_y
        with self.prevent(DataTable.RowHighlighted):
            if columns:
                self.clear(columns=True)
                self._columns = self._fit()
                for column in self._columns:
                    self.add_column(self._header(column), width=column.width, key=column.key)
            else:
                self.clear()
            styles = Palette(self.app.theme_variables)
            for task in self.tasks:
                self.add_row(*self._cells(task, styles), key=task.id)
            if self._order:
                self.move_cursor(row=min(max(row, 0), len(self._order) - 1), scroll=False)
            self.scroll_to(y=scroll_y, animate=False, immediate=True)
        self.post_message(self.Highlighted(self.highlighted_task))

    def _header(self, column: Column) -> Text:
        if self._sorted_by is not None and self._sorted_by[0] == column.key:
            return Text(f"{column.label} {'▲' if self._sorted_by[1] else '▼'}")
        return Text(column.label)

    def _fit(self) -> tuple[Column, ...]:
        return fit_columns(
            self.scrollable_content_region.width,
            number_width=self._number_width(),
            arrow_on=self._sorted_by[0] if self._sorted_by else None,
        )

    def _number_width(self) -> int:
        return max((len(str(task.number)) for task in self._tasks.values()), default=1) + 1

    def _cells(self, task: Task, styles: Palette) -> list[Text]:
        now = self._now
        assert now is not None
        overdue = task.overdue(now)
        cells = {
            "number": Text(f"#{task.number}", style="dim" if task.done else "", justify="right"),
            "title": Text(
                task.title,
                style=styles.done if task.done else (styles.overdue_title if overdue else ""),
                no_wrap=True,
                overflow="ellipsis",
            ),
            "status": Text(STATUS_LABEL[task.status], style=styles.of(STATUS_STYLE[task.status])),
            "priority": Text(
                PRIORITY_LABEL[task.priority], style=styles.of(PRIORITY_STYLE[task.priority])
            ),
            "due": Text(
                due_label(task, now),
                style=styles.overdue if overdue else ("dim" if task.done else ""),
                no_wrap=True,
                overflow="ellipsis",
            ),
            "updated": Text(ago(task.updated, now), style="dim"),
            "project": Text(
                self._catalog.name_of(task.project_id), no_wrap=True, overflow="ellipsis"
            ),
            "labels": Text(
                ", ".join(task.labels),
                style=styles.of("$text-accent"),
                no_wrap=True,
                overflow="ellipsis",
            ),
        }
        return [cells[column.key] for column in self._columns]

    def on_resize(self, event: events.Resize) -> None:
        if self._fit() != self._columns:
            self._rebuild(self.cursor_row, columns=True)

    def _theme_changed(self, theme: Theme) -> None:
        if self._order:
            self._rebuild(self.cursor_row, columns=False)

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self.post_message(self.Highlighted(self.highlighted_task))

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        task = self.highlighted_task
        if task is not None:
            self.post_message(self.Selected(task))
