"""The dashboard: counts, filters, the task table and the highlighted task; single-key actions."""

from __future__ import annotations

from contextlib import suppress
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Header
from textual.worker import Worker, WorkerState, get_current_worker

from taskflow_cli.tui.catalog import Catalog, Counts
from taskflow_cli.tui.failures import end_session_if_lost, explain, is_offline
from taskflow_cli.tui.keys import dashboard_bindings
from taskflow_cli.tui.query import ALL_TASKS
from taskflow_cli.tui.startup import resume_gc
from taskflow_cli.tui.widgets.filter_bar import FilterBar
from taskflow_cli.tui.widgets.key_footer import KeyFooter
from taskflow_cli.tui.widgets.project_tree import ProjectTree
from taskflow_cli.tui.widgets.stats_bar import StatsBar
from taskflow_cli.tui.widgets.task_detail import TaskDetail
from taskflow_cli.tui.widgets.task_table import TaskTable
from taskflow_core.domain.enums import TaskStatus
from taskflow_core.domain.errors import NotFound, PreconditionFailed

if TYPE_CHECKING:
    from datetime import datetime

    from textual.app import ComposeResult
    from textual.binding import BindingType

    from taskflow_cli.tui.api import TaskflowApi
    from taskflow_cli.tui.models import Account, Stats, Task, TaskPage
    from taskflow_cli.tui.options import TuiOptions
    from taskflow_cli.tui.query import TaskFilters

# The sort fields the table has a column for (an arrow marks the sorted one).
SORT_COLUMNS = {
    "number": "number",
    "title": "title",
    "status": "status",
    "priority": "priority",
    "dueDate": "due",
}
BACKGROUND = ("tasks", "stats", "catalog")
# From SIDEBAR columns the projects sidebar shows unless toggled off (below: unless toggled
# on); from WIDE the footer's keys fit on one line; from WIDER the detail pane sits beside the
# table instead of under it.
SIDEBAR = 100
WIDE = 132
WIDER = 160


class DashboardScreen(Screen[None]):
    """Everything in one screen; the network is only ever touched by its workers."""

    CSS_PATH = "../styles/dashboard.tcss"
    AUTO_FOCUS = "#tasks"
    BINDINGS: ClassVar[list[BindingType]] = dashboard_bindings()
    HORIZONTAL_BREAKPOINTS = [  # noqa: RUF012
        (0, "-narrow"),
        (SIDEBAR, "-medium"),
        (WIDE, "-wide"),
        (WIDER, "-wider"),
    ]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]  # noqa: RUF012

    def __init__(
        self,
        api: TaskflowApi,
        options: TuiOptions,
        *,
        account: Account,
        first_page: TaskPage | None = None,
    ) -> None:
        """`first_page`: the tasks to show at once, fetched while the app started."""
        super().__init__()
        self.api = api
        self.account = account
        self.options = options
        self.page: TaskPage | None = None
        self._first_page = first_page
        self._page_number = 1
        self._focus_after_load: str | None = None
        self._offline = False
        self.catalog = Catalog()
        self._stats: Stats | None = None

    def compose(self) -> ComposeResult:
        yield Header(icon="✔")
        yield StatsBar(id="stats")
        yield FilterBar(id="filters")
        with Horizontal(id="main"):
            yield ProjectTree(id="sidebar")
            with Vertical(id="body"):
                yield TaskTable(id="tasks")
                yield TaskDetail(id="detail")
        yield KeyFooter(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.title = "TaskFlow"
        self.sub_title = f"{self.account.email} · {self.account.server}"
        table = self.query_one(TaskTable)
        table.border_title = "Tasks"
        table.border_subtitle = "loading…"
        self.query_one(ProjectTree).border_title = "Projects"
        if self._first_page is not None:
            self._show_page(self._first_page)
            # The counts can wait for the first frame: it has the tasks in it.
            self.call_after_refresh(self._load_stats)
            self.call_after_refresh(self._load_catalog)
        else:
            self.reload()
        self.call_after_refresh(resume_gc)
        if self.options.refresh_seconds > 0:
            self.set_interval(self.options.refresh_seconds, self.reload, name="auto-refresh")

    @property
    def now(self) -> datetime:
        return self.options.clock()

    @property
    def table(self) -> TaskTable:
        return self.query_one(TaskTable)

    # --- loading ------------------------------------------------------------------------

    def reload(self) -> None:
        """Fetch the visible page, the counts, and the projects and labels with their counts
        again (each in its own worker)."""
        self._load_tasks(self._page_number)
        self._load_stats()
        self._load_catalog()

    def _load_tasks(self, page_number: int) -> None:
        self._fetch_tasks(self.query_one(FilterBar).filters, page_number)

    @work(thread=True, exclusive=True, group="tasks", exit_on_error=False)
    def _fetch_tasks(self, filters: TaskFilters, page_number: int) -> None:
        page = self.api.task_page(filters, page_number)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_page, page)

    @work(thread=True, exclusive=True, group="stats", exit_on_error=False)
    def _load_stats(self) -> None:
        stats = self.api.stats()
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_stats, stats)

    @work(thread=True, exclusive=True, group="catalog", exit_on_error=False)
    def _load_catalog(self) -> None:
        catalog = self.api.catalog()
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_catalog, catalog)

    def _show_page(self, page: TaskPage) -> None:
        self.page = page
        self._page_number = page.page
        sort = self.query_one(FilterBar).filters.sort
        column = SORT_COLUMNS.get(sort.field)
        table = self.table
        table.show_tasks(
            page.tasks,
            now=self.now,
            sorted_by=(column, sort.order == "asc") if column else None,
            catalog=self.catalog,
        )
        if self._focus_after_load is not None:
            table.move_to_task(self._focus_after_load)
            self._focus_after_load = None
        if page.total == 0:
            table.border_subtitle = "no tasks"
        else:
            last = page.first_index + len(page.tasks) - 1
            table.border_subtitle = (
                f"{page.first_index}-{last} of {page.total} · page {page.page}/{page.pages}"
            )
        self._back_online()

    def _show_stats(self, stats: Stats) -> None:
        self._stats = stats
        self.query_one(StatsBar).show(stats)
        self._show_sidebar()
        self._back_online()

    def _show_catalog(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._show_sidebar()
        self.table.show_catalog(catalog)
        task = self.table.highlighted_task
        self.query_one(TaskDetail).show_task(task, now=self.now, catalog=catalog)
        self._back_online()

    def _show_sidebar(self) -> None:
        stats = self._stats
        everything = (
            None if stats is None else Counts(stats.pending + stats.in_progress, stats.overdue)
        )
        tree = self.query_one(ProjectTree)
        scope = self.query_one(FilterBar).filters.scope
        tree.show(self.catalog, everything=everything, chosen=scope)
        if scope.project_id is not None and tree.scope_of(scope.project_id) is None:
            # Deleted or archived elsewhere: back to every task.
            self.query_one(FilterBar).set_scope(ALL_TASKS)

    def _back_online(self) -> None:
        if self._offline:
            self._offline = False
            self.query_one(StatsBar).show_connection(None)
            self.notify("Connected to the server again.", title="Back online")

    # --- messages from the widgets ------------------------------------------------------

    @on(FilterBar.Changed)
    def _filters_changed(self, event: FilterBar.Changed) -> None:
        described = event.filters.described()
        self.table.border_title = f"Tasks · {described}" if described else "Tasks"
        self._page_number = 1
        self._load_tasks(1)

    @on(ProjectTree.Chosen)
    def _project_chosen(self, event: ProjectTree.Chosen) -> None:
        self.query_one(FilterBar).set_scope(event.scope)

    @on(FilterBar.WordsIgnored)
    def _words_ignored(self, event: FilterBar.WordsIgnored) -> None:
        self.notify(event.reason, severity="warning")

    @on(FilterBar.SearchLeft)
    def _search_left(self) -> None:
        self.table.focus()

    @on(TaskTable.Highlighted)
    def _task_highlighted(self, event: TaskTable.Highlighted) -> None:
        self.query_one(TaskDetail).show_task(event.task, now=self.now, catalog=self.catalog)

    @on(TaskTable.Selected)
    def _task_selected(self, event: TaskTable.Selected) -> None:
        self._open_form(event.task)

    @on(StatsBar.InboxClicked)
    def _inbox_clicked(self) -> None:
        self.action_notifications()

    # --- actions (the keys) -------------------------------------------------------------

    def _highlighted(self) -> Task | None:
        task = self.table.highlighted_task
        if task is None:
            self.notify("No task is highlighted.", severity="warning")
        return task

    def action_new(self) -> None:
        self._open_form(None)

    def action_edit(self) -> None:
        task = self._highlighted()
        if task is not None:
            self._open_form(task)

    def _open_form(self, task: Task | None) -> None:
        from taskflow_cli.tui.screens.task_form import TaskFormModal

        scope = self.query_one(FilterBar).filters.scope
        form = TaskFormModal(
            self.api,
            task=task,
            now=self.now,
            catalog=self.catalog,
            project_id=scope.project_id,
        )
        self.app.push_screen(form, self._form_closed)

    def _form_closed(self, saved: Task | None) -> None:
        if saved is not None:
            self._focus_after_load = saved.id
            self.notify(f"Saved task #{saved.number}.")
            self.reload()

    def action_start(self) -> None:
        task = self._highlighted()
        if task is None:
            return
        if task.status is TaskStatus.IN_PROGRESS:
            self.notify(f"Task #{task.number} is already in progress.")
            return
        self._set_status(task, TaskStatus.IN_PROGRESS)

    def action_done(self) -> None:
        task = self._highlighted()
        if task is not None:
            self._set_status(task, TaskStatus.PENDING if task.done else TaskStatus.COMPLETED)

    @work(thread=True, group="actions", exit_on_error=False)
    def _set_status(self, task: Task, status: TaskStatus) -> None:
        try:
            self.api.set_status(task, status)
        except PreconditionFailed:
            self.app.call_from_thread(self._changed_elsewhere, task)
            return
        words = {
            TaskStatus.PENDING: "back to pending",
            TaskStatus.IN_PROGRESS: "started",
            TaskStatus.COMPLETED: "done",
        }
        self.app.call_from_thread(self._acted, f"Task #{task.number} {words[status]}.")

    def action_delete(self) -> None:
        from taskflow_cli.tui.screens.confirm import ConfirmModal

        task = self._highlighted()
        if task is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._delete(task)

        question = f"Delete task #{task.number}?"
        self.app.push_screen(ConfirmModal(question, task.title, confirm="Delete"), answered)

    @work(thread=True, group="actions", exit_on_error=False)
    def _delete(self, task: Task) -> None:
        with suppress(NotFound):  # deleted elsewhere already: what the person asked for
            self.api.delete_task(task)
        self.app.call_from_thread(self._acted, f"Deleted task #{task.number}.")

    def _acted(self, message: str) -> None:
        self.notify(message)
        self.reload()

    def _changed_elsewhere(self, task: Task) -> None:
        self.notify(
            f"Task #{task.number} was changed elsewhere; showing its new state. Try again.",
            severity="warning",
        )
        self.reload()

    def action_search(self) -> None:
        self.query_one(FilterBar).focus_search()

    def action_cycle_status(self) -> None:
        self.query_one(FilterBar).cycle_status()

    def action_cycle_priority(self) -> None:
        self.query_one(FilterBar).cycle_priority()

    def action_cycle_sort(self) -> None:
        self.query_one(FilterBar).cycle_sort()

    def action_toggle_sidebar(self) -> None:
        sidebar = self.query_one(ProjectTree)
        shown = sidebar.display
        self.set_class(shown, "-sidebar-off")
        self.set_class(not shown, "-sidebar-on")
        if shown:
            if sidebar.has_focus:
                self.table.focus()
        else:
            self.call_after_refresh(sidebar.focus)

    def action_refresh(self) -> None:
        self.reload()

    def action_next_page(self) -> None:
        if self.page is not None and self._page_number < self.page.pages:
            self._page_number += 1
            self._load_tasks(self._page_number)

    def action_previous_page(self) -> None:
        if self._page_number > 1:
            self._page_number -= 1
            self._load_tasks(self._page_number)

    def action_help(self) -> None:
        from taskflow_cli.tui.screens.help import HelpModal

        self.app.push_screen(HelpModal())

    def action_notifications(self) -> None:
        from taskflow_cli.tui.screens.notifications import NotificationsModal

        self.app.push_screen(NotificationsModal(self.api, now=self.now, on_marked=self._load_stats))

    def action_quit(self) -> None:
        self.app.exit()

    # --- failures -----------------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self._failed(event.worker, event.worker.error)

    def _failed(self, worker: Worker[None], error: BaseException) -> None:
        if end_session_if_lost(self, error):
            return
        if worker.group in BACKGROUND and is_offline(error):
            # A refresh fails every few seconds while the server is down: say it once.
            if not self._offline:
                self._offline = True
                self.query_one(StatsBar).show_connection("offline")
                self.notify(explain(error), title="Server unreachable", severity="error")
            return
        self.notify(explain(error), severity="error")
