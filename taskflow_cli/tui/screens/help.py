"""Every key of the dashboard, from the same table the bindings are built from."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding
from textual.containers import HorizontalGroup, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from taskflow_cli.tui.keys import DASHBOARD_KEYS, OTHER_KEYS

if TYPE_CHECKING:
    from collections.abc import Sequence

    from textual.app import ComposeResult
    from textual.binding import BindingType

NOTE = (
    "The page refreshes itself every few seconds (TASKFLOW_TUI_REFRESH) and after each "
    "change. Rows, filters, the unread count and the footer keys take clicks too."
)


def key_lines(rows: Sequence[tuple[str, str]], width: int) -> Content:
    """`key  what it does`, one per line, the keys padded to `width`."""
    return Content("\n").join(
        Content.assemble((keys.ljust(width), "bold $text-accent"), text) for keys, text in rows
    )


class HelpModal(ModalScreen[None]):
    """The key list, in two columns so it fits 80x24; escape, ? or q closes it."""

    CSS_PATH = "../styles/modals.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "close", "close"),
    ]

    def compose(self) -> ComposeResult:
        rows = [(key.display, key.help) for key in DASHBOARD_KEYS]
        half = (len(rows) + 1) // 2
        with VerticalScroll(id="help") as scroll:
            scroll.border_title = "Keys"
            scroll.border_subtitle = "escape to close"
            yield Static(Content.styled("On the dashboard", "bold $text-primary"))
            with HorizontalGroup(id="help-columns"):
                yield Static(key_lines(rows[:half], 11), classes="help-column")
                yield Static(key_lines(rows[half:], 5), classes="help-column")
            yield Static(Content.styled("Everywhere", "bold $text-primary"), classes="help-heading")
            yield Static(key_lines(OTHER_KEYS, 28))
            yield Static(Content.styled(NOTE, "$text-muted"), classes="help-note")

    def action_close(self) -> None:
        self.dismiss(None)
