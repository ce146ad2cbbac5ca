"""The one output object: data to stdout, messages to stderr, colour decided once.

On a terminal, tables have a bold header and colours, and fit the window (a long title is
shortened, then the least useful columns are left out). Piped, they are plain aligned
columns, never cut (like `gh`), so `grep` and `cut` see whole rows. JSON and CSV go to
stdout; notes, warnings, questions and progress go to stderr.
"""

from __future__ import annotations

import sys

from taskflow_cli import terminal

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

TABLE, JSON, CSV = "table", "json", "csv"
FORMATS = (TABLE, JSON, CSV)


class Cell:
    """One table cell: its text and a style (`bold red`, `dim`…)."""

    __slots__ = ("style", "text")

    def __init__(self, text: str, style: str = "") -> None:
        self.text = text
        self.style = style


class TableData:
    """A table independent of how it is drawn.

    Args:
        headers: the column titles.
        title: a line above the table.
        show_header: whether the header line is drawn.
        right_aligned: the columns aligned right (numbers).
        flexible: the column that is shortened first when the window is narrow.
        flexible_min: the flexible column is shortened to this many cells (or half the
            window, if less), no fewer, before columns are dropped.
        droppable: columns to leave out, in this order, when shortening is not enough.
        wrap: fold the flexible column's long lines rather than cut them.
    """

    def __init__(
        self,
        headers: list[str],
        *,
        title: str = "",
        show_header: bool = True,
        right_aligned: frozenset[int] = frozenset(),
        flexible: int | None = None,
        flexible_min: int = 8,
        droppable: tuple[int, ...] = (),
        wrap: bool = False,
    ) -> None:
        self.headers = headers
        self.rows: list[list[Cell]] = []
        self.title = title
        self.show_header = show_header
        self.right_aligned = right_aligned
        self.flexible = flexible
        self.flexible_min = flexible_min
        self.droppable = droppable
        self.wrap = wrap

    def add(self, *cells: Cell | str) -> None:
        self.rows.append([cell if isinstance(cell, Cell) else Cell(cell) for cell in cells])


class Output:
    """Where a command's results, notes and questions go."""

    def __init__(self, format: str = TABLE) -> None:
        self.format = format
        self._colour_err = terminal.colour_for(sys.stderr)

    @property
    def wants_table(self) -> bool:
        return self.format == TABLE

    @property
    def interactive(self) -> bool:
        """A person can answer questions (stdin and stderr are terminals)."""
        return sys.stdin.isatty() and sys.stderr.isatty()

    # --- data (stdout) ----------------------------------------------------------------------

    def json(self, value: Any) -> None:
        """Exactly `value` (an API object, or a list of them) as JSON."""
        import json

        sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")

    def csv(self, rows: Iterable[dict[str, Any]], fields: list[str]) -> None:
        """One CSV row per API object, its fields as columns (a list, such as a task's labels,
        as a JSON array: names may hold commas)."""
        import csv

        writer = csv.DictWriter(sys.stdout, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({key: _csv_value(value) for key, value in row.items()})

    def table(self, data: TableData, *, stderr: bool = False) -> None:
        stream = sys.stderr if stderr else sys.stdout
        width = terminal.terminal_width(stream)
        stream.write(terminal.render_table(data, width=width, colour=terminal.colour_for(stream)))

    def message(self, text: str, style: str = "") -> None:
        """A sentence reporting what a command did."""
        colour = terminal.colour_for(sys.stdout)
        sys.stdout.write(terminal.styled(text, style, colour) + "\n")

    # --- diagnostics (stderr) ---------------------------------------------------------------

    def note(self, text: str) -> None:
        self._err(text, "dim")

    def warn(self, text: str) -> None:
        self._err(f"Warning: {text}", "yellow")

    def confirm(self, question: str) -> bool:
        """Ask a yes/no question on the terminal; anything but yes is no."""
        answer = self.ask(f"{question} [y/N]: ")
        return answer.strip().lower() in ("y", "yes")

    def ask(self, prompt: str) -> str:
        """A line typed at the terminal (the prompt on stderr)."""
        sys.stderr.write(prompt)
        sys.stderr.flush()
        line = sys.stdin.readline()
        if not line:
            from taskflow_cli.errors import Declined

            raise Declined("No answer (end of input)")
        return line.rstrip("\r\n")

    def secret(self, prompt: str) -> str:
        """A password typed at the terminal, not echoed."""
        import getpass

        return getpass.getpass(prompt, stream=sys.stderr)

    def progress(self, description: str, total: int) -> Progress:
        """A one-line counter on stderr, erased when done (nothing when not a terminal)."""
        return Progress(description, total, shown=sys.stderr.isatty())

    def _err(self, text: str, style: str) -> None:
        sys.stderr.write(terminal.styled(text, style, self._colour_err) + "\n")
        sys.stderr.flush()


class Progress:
    """`Fetching tasks… 300/1000`, redrawn in place."""

    def __init__(self, description: str, total: int, *, shown: bool) -> None:
        self._description = description
        self._total = total
        self._done = 0
        self._shown = shown

    def __enter__(self) -> Progress:
        self._draw()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()

    def advance(self, amount: int) -> None:
        self._done += amount
        self._draw()

    def _draw(self) -> None:
        if self._shown:
            sys.stderr.write(f"\r{self._description}… {self._done}/{self._total}")
            sys.stderr.flush()


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list):
        import json

        return json.dumps(value, ensure_ascii=False)
    return value
