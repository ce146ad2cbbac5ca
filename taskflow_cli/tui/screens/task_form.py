"""The form that creates or edits a task; the server's validation errors appear by each field."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.binding import Binding
from textual.containers import HorizontalGroup, VerticalGroup
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, TextArea
from textual.worker import Worker, WorkerState

from taskflow_cli.dates import parse_instant
from taskflow_cli.tui.failures import end_session_if_lost, explain
from taskflow_cli.tui.models import Task
from taskflow_cli.tui.text import PRIORITY_LABEL, STATUS_LABEL, form_due
from taskflow_core.domain.enums import TaskPriority, TaskStatus
from taskflow_core.domain.errors import InvalidInput, PreconditionFailed

if TYPE_CHECKING:
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
}
LABELS = {
    "title": "Title",
    "description": "Description",
    "status": "Status",
    "priority": "Priority",
    "dueDate": "Due",
}
DUE_PLACEHOLDER = "tomorrow 17:00, friday, in 3 days, 2026-12-01…"


class DueUnreadable(ValueError):
    """The due field holds words that name no date."""


class TaskFormModal(ModalScreen[Task | None]):
    """Dismisses with the saved task, or None when cancelled."""

    CSS_PATH = "../styles/form.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "save", priority=True),
        Binding("escape", "cancel", "cancel"),
    ]

    def __init__(self, api: TaskflowApi, *, task: Task | None, now: datetime) -> None:
        super().__init__()
        self.api = api
        self.editing = task
        self.now = now
        self._version = task.version if task is not None else None
        self._initial_due = form_due(task.due) if task is not None else ""

    def compose(self) -> ComposeResult:
        task = self.editing
        with VerticalGroup(id="form") as form:
            form.border_title = "New task" if task is None else f"Edit task #{task.number}"
            form.border_subtitle = "ctrl+s save · esc cancel"
            yield from self._row(
                "Title",
                Input(task.title if task else "", id="title", compact=True, select_on_focus=False),
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

    # --- the due field's hint -----------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "due":
            self.query_one("#due-error", Label).remove_class("-shown")
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
        self._busy(True)
        self._save(self._values(), self._version)

    def _values(self) -> dict[str, str]:
        return {
            "title": self.query_one("#title", Input).value,
            "description": self.query_one("#description", TextArea).text,
            "status": str(self.query_one("#status", Select).value),
            "priority": str(self.query_one("#priority", Select).value),
            "due": self.query_one("#due", Input).value,
        }

    @work(thread=True, exclusive=True, group="save", exit_on_error=False)
    def _save(self, values: dict[str, str], version: int | None) -> None:
        try:
            fields = self._fields(values)
        except DueUnreadable as error:
            self.app.call_from_thread(self._show_errors, {"due": str(error)})
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
                clashes = conflicts(self.editing, current, fields)
                if clashes:
                    self.app.call_from_thread(self._changed_elsewhere, current, clashes)
                    return
                # Their change is to other fields: these go on top of it.
                saved = self.api.update_task(self.editing, fields, version=current.version)
        self.app.call_from_thread(self.dismiss, saved)

    def _fields(self, values: dict[str, str]) -> Json:
        """The API body: every field for a new task, only the changed ones for an edit."""
        due_changed = self.editing is None or values["due"].strip() != self._initial_due
        fields: Json = {
            "title": values["title"],
            "description": values["description"] or None,
            "status": values["status"],
            "priority": values["priority"],
        }
        if due_changed:
            fields["dueDate"] = self._parse_due(values["due"])
        task = self.editing
        if task is None:
            return {key: value for key, value in fields.items() if value is not None}
        before = {
            "title": task.title,
            "description": task.description or None,
            "status": task.status,
            "priority": task.priority,
        }
        return {key: value for key, value in fields.items() if before.get(key, ...) != value}

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
                name = FIELDS.get(item.field, "")
                message = item.message if name else f"{item.field}: {item.message}"
                errors[name] = f"{errors[name]}; {message}" if name in errors else message
            self._show_errors(errors)
            return
        self._show_errors({"": explain(error)})


def conflicts(read: Task, theirs: Task, fields: Json) -> list[Clash]:
    """The fields being saved that someone else changed, to something else, since `read`:
    each with their value and yours, as the form shows them."""
    clashes = []
    for field, yours in fields.items():
        before, now = _api_value(read, field), _api_value(theirs, field)
        mine = parse_instant(yours) if field == "dueDate" and yours else yours
        if now not in (before, mine):
            clashes.append((LABELS[field], _shown(field, now), _shown(field, mine)))
    return clashes


def _api_value(task: Task, field: str) -> Any:
    if field == "dueDate":
        return task.due
    if field == "description":
        return task.description or None
    return getattr(task, field)


def _shown(field: str, value: Any) -> str:
    if value is None or value == "":
        return "(none)"
    if field == "dueDate":
        return form_due(value)
    if field == "status":
        return STATUS_LABEL[TaskStatus(value)]
    if field == "priority":
        return PRIORITY_LABEL[TaskPriority(value)]
    return str(value)


def _local(due: str) -> str:
    from taskflow_cli.dates import exact_local

    return f"→ {exact_local(parse_instant(due))}"
