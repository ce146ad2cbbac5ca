"""Textual's footer, with room for every key on narrow terminals."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Footer

if TYPE_CHECKING:
    from textual.app import ComposeResult


class KeyFooter(Footer):
    """A `Footer` whose stylesheet may lay the keys out as a grid (`layout: grid;
    grid-size: 8; height: 2`), so none is cut off at 80 columns."""

    def compose(self) -> ComposeResult:
        yield from super().compose()
        # Footer pins one grid column per key as an inline style; the stylesheet decides.
        self.styles.grid_size_columns = None
