"""A yes/no question before something that cannot be undone."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding
from textual.containers import HorizontalGroup, VerticalGroup
from textual.screen import ModalScreen
from textual.widgets import Button, Label

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.binding import BindingType


class ConfirmModal(ModalScreen[bool]):
    """Dismisses with True for yes (y, or the confirm button), False for no (n, escape)."""

    CSS_PATH = "../styles/modals.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "yes"),
        Binding("n,escape", "answer(False)", "no"),
    ]

    def __init__(self, question: str, detail: str = "", *, confirm: str = "Yes") -> None:
        super().__init__()
        self._question = question
        self._detail = detail
        self._confirm = confirm

    def compose(self) -> ComposeResult:
        with VerticalGroup(id="dialog"):
            yield Label(self._question, id="question")
            if self._detail:
                yield Label(self._detail, id="confirm-detail", markup=False)
            with HorizontalGroup(id="buttons"):
                yield Button(f"{self._confirm} (y)", id="yes", variant="error", compact=True)
                yield Button("Cancel (n)", id="no", compact=True)

    def on_mount(self) -> None:
        # Enter on the focused button cancels: deleting needs a deliberate y or click.
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
