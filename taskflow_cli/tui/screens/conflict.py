"""An edit that raced another one: what differs, and whether to overwrite theirs."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding
from textual.containers import HorizontalGroup, VerticalGroup
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Label

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.binding import BindingType

# (field, theirs, yours) for each field both changed, as the form shows values.
Clash = tuple[str, str, str]


class ConflictModal(ModalScreen[bool]):
    """Dismisses with True to overwrite theirs with yours, False to go back to the form."""

    CSS_PATH = "../styles/modals.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "answer(True)", "overwrite"),
        Binding("escape,b", "answer(False)", "back"),
    ]

    def __init__(self, number: int, clashes: list[Clash]) -> None:
        super().__init__()
        self._number = number
        self._clashes = clashes

    def compose(self) -> ComposeResult:
        with VerticalGroup(id="conflict"):
            yield Label(
                f"Task #{self._number} was changed elsewhere since you opened it.",
                id="conflict-question",
            )
            yield Label("Where it differs from what you are saving:", id="conflict-lead")
            table: DataTable[str] = DataTable(
                id="conflict-fields", cursor_type="none", zebra_stripes=False, show_cursor=False
            )
            table.add_columns("Field", "Theirs (now)", "Yours")
            table.add_rows(self._clashes)
            yield table
            with HorizontalGroup(id="buttons"):
                yield Button(
                    "Overwrite theirs (o)", id="overwrite", variant="warning", compact=True
                )
                yield Button("Back to the form (b)", id="back", compact=True)

    def on_mount(self) -> None:
        # Enter on the focused button goes back: overwriting needs a deliberate o or click.
        self.query_one("#back", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "overwrite")

    def action_answer(self, overwrite: bool) -> None:
        self.dismiss(overwrite)
