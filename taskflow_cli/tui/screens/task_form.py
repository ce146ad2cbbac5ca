"""The form that creates or edits a task; the server's validation errors appear by each field.

The title field reads the CLI's words (`Pay rent project:home +bills due:friday pri:high`):
when the person leaves it, or saves, the words move into the fields they name, so what is
saved is what the form shows. A saved title is shown quoted (`quote_title`), so a title that
holds such words saves unchanged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.binding import Binding
from textual.containers import HorizontalGroup, VerticalGroup
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, TextArea
from textual.worker import Worker, WorkerState

from taskflow_cli.dates import parse_instant
from taskflow_cli.task_words import CLEARED, UnreadableWords, quote_title, read_words
from taskflow_cli.tui.catalog import Catalog, join_labels, split_labels
from taskflow_cli.tui.failures import end_session_if_lost, explain
from taskflow_cli.tui.models import Task
from taskflow_cli.tui.suggest import LabelSuggester, ProjectSuggester
from taskflow_cli.tui.text import PRIORITY_LABEL, STATUS_LABEL, form_due
from taskflow_core.domain.enums import TaskPriority, TaskStatus
from taskflow_core.domain.errors import InvalidInput, PreconditionFailed

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from textual.app import ComposeResult
    from textual.binding import BindingType
    from textual.widget import Widget

    from taskflow_cli.tui.api import TaskflowApi
    from taskflow_cli.tui.screens.conflict import Clash

Json = dict[str, Any]
# API field -> the form field whose error line shows its message.
FIELDS = {
    "title": "title",
    "description": "description",
    "status": "status",
    "priority": "priority",
    "dueDate": "due",
    "projectId": "project",
    "labels": "labels",
}
LABELS = {
    "title": "Title",
    "description": "Description",
    "status": "Status",
    "priority": "Priority",
    "dueDate": "Due",
    "projectId": "Project",
    "labels": "Labels",
}
DUE_PLACEHOLDER = "tomorrow 17:00, friday, in 3 days, 2026-12-01…"
TITLE_PLACEHOLDER = "Pay rent project:home +bills due:friday pri:high"
PROJECTS_NAMED = 6


class DueUnreadable(ValueError):
    """The due field holds words that name no date."""


class ProjectUnknown(ValueError):
    """The project field names no project of the person's."""


def unknown_project(name: str, catalog: Catalog) -> str:
    """Why the project field cannot be saved, with some names it could be."""
    names = [project.name for project in catalog.visible()]
    if not names:
        return f"No project named “{name}”: you have no projects yet."
    listed = ", ".join(names[:PROJECTS_NAMED]) + (", …" if len(names) > PROJECTS_NAMED else "")
    return f"No project named “{name}” (yours: {listed})."


class TaskFormModal(ModalScreen[Task | None]):
    """Dismisses with the saved task, or None when cancelled."""

    CSS_PATH = "../styles/form.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "save", priority=True),
        Binding("escape", "cancel", "cancel"),
    ]

    def __init__(
        self,
        api: TaskflowApi,
        *,
        task: Task | None,
        now: datetime,
        catalog: Catalog | None = None,
        project_id: str | None = None,
    ) -> None:
        """`catalog`: the projects and labels the dashboard has (the form reads them again);
        `project_id`: the project a new task starts in (the one the sidebar shows)."""
        super().__init__()
        self.api = api
        self.editing = task
        self.now = now
        self.catalog = catalog or Catalog()
        self._new_in = project_id if task is None else None
        self._version = task.version if task is not None else None
        self._initial_due = form_due(task.due) if task is not None else ""
        self._initial_title = quote_title(task.title) if task is not None else ""
        self._initial_project = self._project_text(task)
        self._start_project = self._initial_project or self._project_name(self._new_in)
        self._initial_labels = join_labels(task.labels) if task is not None else ""

    def compose(self) -> ComposeResult:
        task = self.editing
        with VerticalGroup(id="form") as form:
            form.border_title = "New task" if task is None else f"Edit task #{task.number}"
            form.border_subtitle = "ctrl+s save · esc cancel"
            yield from self._row(
                "Title",
                Input(
                    self._initial_title,
                    placeholder=TITLE_PLACEHOLDER if task is None else "",
                    id="title",
                    compact=True,
                    select_on_focus=False,
                ),
            )
            description = TextArea(
                task.description if task else "", id="description", compact=True, soft_wrap=True
            )
            yield from self._row("Description", description)
            yield from self._row(
                "Status",
                Select(
                    [(STATUS_LABEL[status], status) for status in TaskStatus],
                    value=task.status if task else TaskStatus.PENDING,
                    allow_blank=False,
                    id="status",
                    compact=True,
                ),
            )
            yield from self._row(
                "Priority",
                Select(
                    [(PRIORITY_LABEL[priority], priority) for priority in reversed(TaskPriority)],
                    value=task.priority if task else TaskPriority.MEDIUM,
                    allow_blank=False,
                    id="priority",
                    compact=True,
                ),
            )
            yield from self._row(
                "Due",
                Input(self._initial_due, placeholder=DUE_PLACEHOLDER, id="due", compact=True),
                hint=True,
            )
            yield from self._row(
                "Project",
                Input(
                    self._start_project,
                    placeholder="none",
                    id="project",
                    compact=True,
                    suggester=ProjectSuggester(p.name for p in self.catalog.visible()),
                ),
            )
            yield from self._row(
                "Labels",
                Input(
                    self._initial_labels,
                    placeholder="none (bills, later)",
                    id="labels",
                    compact=True,
                    suggester=LabelSuggester(self.catalog.labels),
                ),
            )
            yield Label("", id="form-error", classes="field-error")
            with HorizontalGroup(id="buttons"):
                yield Button("Save", id="save", variant="primary", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def _row(self, label: str, field: Widget, *, hint: bool = False) -> ComposeResult:
        name = field.id
        with HorizontalGroup(classes="field-row"):
            yield Label(label, classes="field-label")
            with VerticalGroup(classes="field-box"):
                yield field
                if hint:
                    yield Label("", id=f"{name}-hint", classes="field-hint")
                yield Label("", id=f"{name}-error", classes="field-error")

    def on_mount(self) -> None:
        self.query_one("#title", Input).focus()
        if self._initial_due:
            self._update_hint(self._initial_due)
        self._load_catalog()

    def _project_text(self, task: Task | None) -> str:
        return "" if task is None else self._project_name(task.project_id)

    def _project_name(self, project_id: str | None) -> str:
        name = self.catalog.name_of(project_id)
        return "" if name == "?" else name

    # --- the projects and labels --------------------------------------------------------

    @work(thread=True, exclusive=True, group="catalog", exit_on_error=False)
    def _load_catalog(self) -> None:
        catalog = self.api.catalog()
        self.app.call_from_thread(self._show_catalog, catalog)

    def _show_catalog(self, catalog: Catalog) -> None:
        """Fresh names for the completions (and the task's project, if it was not known)."""
        self.catalog = catalog
        project = self.query_one("#project", Input)
        project.suggester = ProjectSuggester(p.name for p in catalog.visible())
        self.query_one("#labels", Input).suggester = LabelSuggester(catalog.labels)
        if self.editing is not None and not self._initial_project:
            self._initial_project = self._project_text(self.editing)
            if not project.value:
                project.value = self._initial_project

    # --- the title's words --------------------------------------------------------------

    def on_input_blurred(self, event: Input.Blurred) -> None:
        if event.input.id == "title":
            self._absorb_title_words()

    def _absorb_title_words(self) -> bool:
        """Move the title's `project:`, `+label`, `-label`, `due:`, `pri:` and `status:` words
        into their fields; False (and the reason under the title) when one is unreadable."""
        title = self.query_one("#title", Input)
        if title.value == self._initial_title:
            return True
        from taskflow_cli.config import read_config

        try:
            words = read_words([title.value], date_order=read_config().get("date_order"))
        except UnreadableWords as error:
            self._show_errors({"title": str(error)})
            return False
        if not words.has_attributes:
            return True
        if words.project is not None:
            self.query_one("#project", Input).value = words.project
        if words.labels or words.unlabels:
            field = self.query_one("#labels", Input)
            names = split_labels(field.value, self.catalog.labels)
            names += [name for name in words.labels if name.casefold() not in _folded(names)]
            removed = _folded(words.unlabels)
            field.value = join_labels(name for name in names if name.casefold() not in removed)
        if words.due is not None:
            due = "" if words.due == CLEARED else form_due(parse_instant(words.due))
            self.query_one("#due", Input).value = due
        if words.priority is not None:
            self.query_one("#priority", Select).value = TaskPriority(words.priority)
        if words.status is not None:
            self.query_one("#status", Select).value = TaskStatus(words.status)
        title.value = quote_title(words.text)
        return True

    # --- the due field's hint -----------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id in ("due", "project", "labels"):
            self.query_one(f"#{event.input.id}-error", Label).remove_class("-shown")
        if event.input.id == "due":
            self._update_hint(event.value)

    def _update_hint(self, text: str) -> None:
        """Under the field, the exact date and time it reads as (or that it reads as none)."""
        try:
            due = self._parse_due(text)
        except DueUnreadable:
            # Saving says why; while typing, every prefix of a date is unreadable.
            message, readable = "not a date (yet)", False
        else:
            message, readable = ("no due date" if due is None else _local(due)), True
        hint = self.query_one("#due-hint", Label)
        hint.update(message)
        hint.set_class(not readable, "-unreadable")

    def _parse_due(self, text: str) -> str | None:
        from taskflow_cli.config import read_config
        from taskflow_cli.dates import as_api
        from taskflow_cli.due import UnreadableDate, parse_due

        if not text.strip():
            return None
        order = read_config().get("date_order")
        try:
            return as_api(parse_due(text, now=self.now.astimezone(), date_order=order))
        except UnreadableDate as error:
            raise DueUnreadable(str(error)) from None

    # --- saving -------------------------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        if self.query_one("#save", Button).disabled:
            return
        self._show_errors({})
        if not self._absorb_title_words():
            return
        self._busy(True)
        self._save(self._values(), self._version)

    def _values(self) -> dict[str, str]:
        return {
            "title": self.query_one("#title", Input).value,
            "description": self.query_one("#description", TextArea).text,
            "status": str(self.query_one("#status", Select).value),
            "priority": str(self.query_one("#priority", Select).value),
            "due": self.query_one("#due", Input).value,
            "project": self.query_one("#project", Input).value,
            "labels": self.query_one("#labels", Input).value,
        }

    @work(thread=True, exclusive=True, group="save", exit_on_error=False)
    def _save(self, values: dict[str, str], version: int | None) -> None:
        try:
            fields = self._fields(values)
        except DueUnreadable as error:
            self.app.call_from_thread(self._show_errors, {"due": str(error)})
            return
        except ProjectUnknown as error:
            self.app.call_from_thread(self._show_errors, {"project": str(error)})
            return
        if self.editing is None:
            saved = self.api.create_task(fields)
        elif not fields:
            saved = self.editing
        else:
            try:
                saved = self.api.update_task(self.editing, fields, version=version)
            except PreconditionFailed:
                current = self.api.task(self.editing.id)
                clashes = conflicts(self.editing, current, fields, self.catalog)
                if clashes:
                    self.app.call_from_thread(self._changed_elsewhere, current, clashes)
                    return
                # Their change is to other fields: these go on top of it.
                saved = self.api.update_task(self.editing, fields, version=current.version)
        self.app.call_from_thread(self.dismiss, saved)

    def _fields(self, values: dict[str, str]) -> Json:
        """The API body: every field for a new task, only the changed ones for an edit.
        Runs in a worker: an unknown project name is looked up again on the server."""
        task = self.editing
        title = values["title"]
        fields: Json = {
            # The title's other words were moved to their fields already.
            "title": task.title
            if task is not None and title == self._initial_title
            else read_words([title]).text,
            "description": values["description"] or None,
            "status": values["status"],
            "priority": values["priority"],
        }
        if task is None or values["due"].strip() != self._initial_due:
            fields["dueDate"] = self._parse_due(values["due"])
        if task is None or values["project"].strip() != self._initial_project:
            fields["projectId"] = self._project_id(values["project"])
        if task is None or values["labels"] != self._initial_labels:
            fields["labels"] = split_labels(values["labels"], self.catalog.labels)
        if task is None:
            return {key: value for key, value in fields.items() if value not in (None, [])}
        before = {
            "title": task.title,
            "description": task.description or None,
            "status": task.status,
            "priority": task.priority,
            "projectId": task.project_id,
            "labels": list(task.labels),
        }
        return {key: value for key, value in fields.items() if before.get(key, ...) != value}

    def _project_id(self, name: str) -> str | None:
        if not name.strip():
            return None
        project = self.catalog.find(name)
        if project is None:  # made since the form opened, perhaps
            self.catalog = self.api.catalog()
            project = self.catalog.find(name)
        if project is None:
            raise ProjectUnknown(unknown_project(name.strip(), self.catalog))
        return project.id

    def _changed_elsewhere(self, current: Task, clashes: list[Clash]) -> None:
        from taskflow_cli.tui.screens.conflict import ConflictModal

        self._busy(False)

        def answered(overwrite: bool | None) -> None:
            if overwrite:
                self._version = current.version
                self.action_save()
            else:
                self._show_errors({"": f"Not saved: task #{current.number} was changed elsewhere."})

        self.app.push_screen(ConflictModal(current.number, clashes), answered)

    def _busy(self, busy: bool) -> None:
        save = self.query_one("#save", Button)
        save.disabled = busy
        save.label = "Saving…" if busy else "Save"

    def _show_errors(self, errors: dict[str, str]) -> None:
        """Messages by form field ("" for the form as a whole); clears the others."""
        for name in (*FIELDS.values(), "form"):
            label = self.query_one(f"#{name}-error", Label)
            message = errors.get("" if name == "form" else name, "")
            label.update(message)
            label.set_class(bool(message), "-shown")
        self._busy(False)
        if "due" in errors:
            self.query_one("#due-hint", Label).update("")
        if errors:
            first = next((name for name in FIELDS.values() if name in errors), None)
            if first is not None:
                self.query_one(f"#{first}").focus()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        error = event.worker.error
        if event.state is not WorkerState.ERROR or error is None:
            return
        if end_session_if_lost(self, error):
            return
        if isinstance(error, InvalidInput) and error.errors:
            errors: dict[str, str] = {}
            for item in error.errors:
                name = FIELDS.get(item.field.split(".")[0], "")
                message = item.message if name else f"{item.field}: {item.message}"
                errors[name] = f"{errors[name]}; {message}" if name in errors else message
            self._show_errors(errors)
            return
        self._show_errors({"": explain(error)})


def conflicts(read: Task, theirs: Task, fields: Json, catalog: Catalog) -> list[Clash]:
    """The fields being saved that someone else changed, to something else, since `read`:
    each with their value and yours, as the form shows them."""
    clashes = []
    for field, yours in fields.items():
        before, now = _api_value(read, field), _api_value(theirs, field)
        mine = parse_instant(yours) if field == "dueDate" and yours else yours
        if now not in (before, mine):
            clashes.append(
                (LABELS[field], _shown(field, now, catalog), _shown(field, mine, catalog))
            )
    return clashes


def _api_value(task: Task, field: str) -> Any:
    if field == "dueDate":
        return task.due
    if field == "description":
        return task.description or None
    if field == "projectId":
        return task.project_id
    if field == "labels":
        return list(task.labels)
    return getattr(task, field)


def _shown(field: str, value: Any, catalog: Catalog) -> str:
    if not value:
        return "(none)"
    shown: dict[str, Callable[[Any], str]] = {
        "dueDate": form_due,
        "projectId": catalog.name_of,
        "labels": join_labels,
        "status": lambda status: STATUS_LABEL[TaskStatus(status)],
        "priority": lambda priority: PRIORITY_LABEL[TaskPriority(priority)],
    }
    return shown.get(field, str)(value)


def _folded(names: list[str]) -> set[str]:
    return {name.casefold() for name in names}


def _local(due: str) -> str:
    from taskflow_cli.dates import exact_local

    return f"→ {exact_local(parse_instant(due))}"
