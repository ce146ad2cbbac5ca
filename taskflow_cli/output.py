"""The one output object: data to stdout, messages to stderr, colour decided once.

Tables go to stdout as Rich tables on a terminal, and as plain aligned columns when piped
(no colour, no wrapping at 80 columns, like `gh`), so `grep` and `cut` see whole rows.
JSON and CSV go to stdout; notes, warnings, questions and progress go to stderr. Colour is
on only for a terminal without `NO_COLOR`. Rich is imported only to draw on a terminal.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol, TextIO

if TYPE_CHECKING:
    from collections.abc import Iterable

_ANSI = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "cyan": "36"}


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    style: str = ""


@dataclass
class TableData:
    """A table independent of how it is drawn: headers, rows of styled cells."""

    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    title: str = ""
    show_header: bool = True
    right_aligned: frozenset[int] = frozenset()

    def add(self, *cells: Cell | str) -> None:
        self.rows.append([cell if isinstance(cell, Cell) else Cell(cell) for cell in cells])


class ProgressBar(Protocol):
    def __enter__(self) -> ProgressBar: ...

    def __exit__(self, *exc_info: object) -> None: ...

    def advance(self, amount: int) -> None: ...


class Output:
    """Where a command's results, notes and questions go."""

    def __init__(self, format: Format = Format.TABLE) -> None:
        self.format = format
        self.color = _colour(sys.stdout)

    @property
    def wants_table(self) -> bool:
        return self.format is Format.TABLE

    @property
    def interactive(self) -> bool:
        """A person can answer questions (stdin and stderr are terminals)."""
        return sys.stdin.isatty() and sys.stderr.isatty()

    # --- data (stdout) ------------------------------------------------------------------

    def json(self, value: Any) -> None:
        """Exactly `value` (an API object, or a list of them) as JSON."""
        import json

        sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")

    def csv(self, rows: Iterable[dict[str, Any]], fields: list[str]) -> None:
        """One CSV row per API object, its fields as columns."""
        import csv

        writer = csv.DictWriter(sys.stdout, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({key: "" if value is None else value for key, value in row.items()})

    def table(self, data: TableData, *, stderr: bool = False) -> None:
        stream = sys.stderr if stderr else sys.stdout
        if stream.isatty():
            _rich_table(data, stream=stream, color=_colour(stream))
        else:
            stream.write(_plain_table(data))

    def message(self, text: str, style: str = "") -> None:
        """A sentence reporting what a command did."""
        _write_line(sys.stdout, text, style)

    # --- diagnostics (stderr) -----------------------------------------------------------

    def note(self, text: str) -> None:
        _write_line(sys.stderr, text, "dim")

    def warn(self, text: str) -> None:
        _write_line(sys.stderr, f"Warning: {text}", "yellow")

    def confirm(self, question: str, *, default: bool = False) -> bool:
        """Ask a yes/no question on the terminal."""
        import typer

        return bool(typer.confirm(question, default=default, err=True))

    def progress(self, description: str, total: int | None) -> ProgressBar:
        """A transient progress bar on stderr (nothing when stderr is not a terminal)."""
        if not sys.stderr.isatty():
            return _NoProgress()
        return _RichProgress(description, total, color=_colour(sys.stderr))


def _colour(stream: TextIO) -> bool:
    return not os.environ.get("NO_COLOR") and stream.isatty()


def _write_line(stream: TextIO, text: str, style: str) -> None:
    codes = ";".join(_ANSI[word] for word in style.split() if word in _ANSI)
    if codes and _colour(stream):
        text = f"\x1b[{codes}m{text}\x1b[0m"
    stream.write(text + "\n")
    stream.flush()


def _plain_table(data: TableData) -> str:
    rows = [[Cell(header) for header in data.headers]] if data.show_header else []
    rows += data.rows
    widths = [
        max((len(line) for row in rows for line in row[index].text.splitlines() or [""]), default=0)
        for index in range(len(data.headers))
    ]
    lines = [data.title] if data.title else []
    for row in rows:
        cells = [cell.text.splitlines() or [""] for cell in row]
        for depth in range(max(len(cell) for cell in cells)):
            parts = []
            for index, cell in enumerate(cells):
                text = cell[depth] if depth < len(cell) else ""
                align = str.rjust if index in data.right_aligned else str.ljust
                parts.append(align(text, widths[index]))
            lines.append("  ".join(parts).rstrip())
    return "\n".join(lines) + "\n"


def _rich_table(data: TableData, *, stream: TextIO, color: bool) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        show_header=data.show_header,
    )
    for index, header in enumerate(data.headers):
        table.add_column(
            header,
            justify="right" if index in data.right_aligned else "left",
            overflow="fold",
        )
    for row in data.rows:
        table.add_row(*(Text(cell.text, style=cell.style) for cell in row))
    console = Console(file=stream, highlight=False, color_system="auto" if color else None)
    if data.title:
        console.print(Text(data.title, style="bold"), soft_wrap=True)
    console.print(table)


class _NoProgress:
    def __enter__(self) -> _NoProgress:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None

    def advance(self, amount: int) -> None:
        return None


class _RichProgress:
    def __init__(self, description: str, total: int | None, *, color: bool) -> None:
        from rich.console import Console
        from rich.progress import Progress

        console = Console(stderr=True, color_system="auto" if color else None)
        self._progress = Progress(console=console, transient=True)
        self._task = self._progress.add_task(description, total=total)

    def __enter__(self) -> _RichProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._progress.stop()

    def advance(self, amount: int) -> None:
        self._progress.advance(self._task, amount)
