"""Text in a terminal: widths in cells (CJK and emoji take two), colours, and tables that
fit the window.

Widths come from `unicodedata` (East Asian Width, combining marks, zero-width joiners and
emoji variation selectors), which covers what terminals draw for task titles and names.
"""

from __future__ import annotations

import os
import unicodedata

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TextIO

    from taskflow_cli.output import Cell, TableData

ANSI = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "cyan": "36"}
GAP = "  "
ELLIPSIS = "…"
_ZWJ = "\u200d"
_EMOJI_PRESENTATION = "\ufe0f"
_SKIN_TONES = range(0x1F3FB, 0x1F400)


def colour_for(stream: TextIO) -> bool:
    """Colour on a terminal, unless NO_COLOR is set (https://no-color.org)."""
    return not os.environ.get("NO_COLOR") and stream.isatty()


def terminal_width(stream: TextIO) -> int | None:
    """The window's width in cells for a terminal; None when `stream` is not one."""
    if not stream.isatty():
        return None
    try:
        columns = os.get_terminal_size(stream.fileno()).columns
    except (OSError, ValueError):
        columns = 0
    if columns <= 0:  # a terminal that does not say (a new pseudo-terminal)
        fallback = os.environ.get("COLUMNS", "")
        columns = int(fallback) if fallback.isdigit() else 80
    return columns


def styled(text: str, style: str, colour: bool) -> str:
    codes = ";".join(ANSI[word] for word in style.split() if word in ANSI)
    return f"\x1b[{codes}m{text}\x1b[0m" if codes and colour and text else text


def cell_width(text: str) -> int:
    """The cells `text` takes in a terminal."""
    if text.isascii():
        return len(text)
    return sum(_widths(text))


def truncate(text: str, width: int) -> str:
    """`text` cut to `width` cells, with `…` when something was cut."""
    if cell_width(text) <= width:
        return text
    kept, used = [], 0
    for char, size in zip(text, _widths(text), strict=True):
        if used + size > width - 1:
            break
        kept.append(char)
        used += size
    return "".join(kept) + ELLIPSIS


def wrap(text: str, width: int) -> list[str]:
    """`text` folded into lines of at most `width` cells, at spaces where it can be."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line, used = "", 0
        for word in paragraph.split(" "):
            rest, size = word, cell_width(word)
            if line and used + 1 + size <= width:
                line, used = f"{line} {rest}", used + 1 + size
                continue
            if line or used:
                lines.append(line)
            while size > width:  # a word longer than the line: cut it
                head = truncate(rest, width + 1)[:-1]
                lines.append(head)
                rest = rest[len(head) :]
                size = cell_width(rest)
            line, used = rest, size
        lines.append(line)
    return lines


def render_table(data: TableData, *, width: int | None, colour: bool) -> str:
    """The table as text: aligned columns two cells apart, the header in bold. With a
    `width` (a terminal), columns that do not fit are shortened, then dropped."""
    columns = list(range(len(data.headers)))
    rows = [[cell_lines(cell) for cell in row] for row in data.rows]
    widths = [
        max([cell_width(data.headers[index]) if data.show_header else 0]
            + [cell_width(line) for row in rows for line in row[index]])
        for index in columns
    ]  # fmt: skip
    if width is not None:
        columns = _fit(data, columns, widths, width)
    out = [styled(data.title, "bold", colour)] if data.title else []
    if data.show_header:
        header = [_pad(data.headers[i], widths[i], i in data.right_aligned) for i in columns]
        out.append(styled(GAP.join(header).rstrip(), "bold", colour))
    for row, source in zip(rows, data.rows, strict=True):
        out += _row_lines(
            data, row, source, columns=columns, widths=widths, fitted=width is not None,
            colour=colour,
        )  # fmt: skip
    return "\n".join(out) + "\n"


def cell_lines(cell: Cell) -> list[str]:
    return cell.text.splitlines() or [""]


def _row_lines(
    data: TableData,
    row: list[list[str]],
    source: list[Cell],
    *,
    columns: list[int],
    widths: list[int],
    fitted: bool,
    colour: bool,
) -> list[str]:
    cells = {}
    for index in columns:
        lines = row[index]
        if fitted and any(cell_width(line) > widths[index] for line in lines):
            if data.wrap:
                lines = [part for line in lines for part in wrap(line, widths[index])]
            else:
                lines = [truncate(line, widths[index]) for line in lines]
        cells[index] = lines
    depth = max(len(lines) for lines in cells.values())
    result = []
    for level in range(depth):
        parts = []
        for index in columns:
            lines = cells[index]
            text = lines[level] if level < len(lines) else ""
            padded = _pad(text, widths[index], index in data.right_aligned)
            parts.append(styled(padded, source[index].style, colour) if text else padded)
        result.append(GAP.join(parts).rstrip())
    return result


def _fit(data: TableData, columns: list[int], widths: list[int], width: int) -> list[int]:
    """Shorten the flexible column, then drop the least useful columns, until the table
    fits `width`; the flexible column then takes what is left (changes `widths`)."""
    shown = list(columns)

    def total() -> int:
        return sum(widths[i] for i in shown) + len(GAP) * (len(shown) - 1)

    flex = data.flexible
    natural = widths[flex] if flex is not None else 0
    for droppable in (*data.droppable, None):
        if flex is not None:
            floor = min(natural, data.flexible_min, width // 2)
            widths[flex] = max(floor, min(natural, widths[flex] - (total() - width)))
        if total() <= width or droppable is None:
            break
        shown.remove(droppable)
        if flex is not None:
            widths[flex] = natural
    if flex is not None and flex in shown:
        widths[flex] = max(1, min(natural, widths[flex] - max(0, total() - width)))
    return shown


def _pad(text: str, width: int, right: bool) -> str:
    space = " " * max(0, width - cell_width(text))
    return space + text if right else text + space


def _widths(text: str) -> list[int]:
    sizes: list[int] = []
    joined = False
    for char in text:
        code = ord(char)
        if char == _ZWJ:
            size, joined = 0, True
        elif joined or code in _SKIN_TONES:
            # Drawn into the emoji before it.
            size, joined = 0, False
        elif char == _EMOJI_PRESENTATION:
            # Asks for the emoji form of the character before it, drawn two cells wide.
            size = 1 if sizes and sizes[-1] == 1 else 0
        elif unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf", "Cc"):
            size = 0
        else:
            size = 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
        sizes.append(size)
    return sizes
