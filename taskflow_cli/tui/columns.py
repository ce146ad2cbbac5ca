"""Which task columns fit a width: the title takes what is left; the least useful go first."""

from __future__ import annotations

from dataclasses import dataclass

CELL_PADDING = 1  # DataTable's default, on each side of every column
TITLE_MIN = 16


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str
    width: int
    # Shown only if the title keeps at least this many cells with it (the title: always).
    needs_title: int = 0


# Most useful first: number and title always; then due, status, priority, labels, project,
# updated.
NUMBER = Column("number", "#", 4)
TITLE = Column("title", "Title", TITLE_MIN)
OPTIONAL = (
    Column("due", "Due", 15, needs_title=TITLE_MIN),
    Column("status", "Status", 11, needs_title=20),
    Column("priority", "Priority", 8, needs_title=20),
    Column("labels", "Labels", 14, needs_title=24),
    Column("project", "Project", 12, needs_title=24),
    Column("updated", "Updated", 12, needs_title=40),
)


def _cost(column: Column) -> int:
    return column.width + 2 * CELL_PADDING


def fit_columns(
    width: int, *, number_width: int = 4, arrow_on: str | None = None
) -> tuple[Column, ...]:
    """The columns to show in `width` cells, in display order, the title widened to fill.

    Args:
        width: the cells available, scrollbar excluded.
        number_width: the widest task number, `#` included.
        arrow_on: the column whose header carries a sort arrow (two more cells).
    """

    def with_arrow(column: Column) -> Column:
        if column.key != arrow_on or len(column.label) + 2 <= column.width:
            return column
        return Column(column.key, column.label, len(column.label) + 2, column.needs_title)

    number = with_arrow(Column(NUMBER.key, NUMBER.label, max(len(NUMBER.label), number_width)))
    chosen: list[Column] = []
    used = _cost(number) + 2 * CELL_PADDING
    for column in map(with_arrow, OPTIONAL):
        if width - used - _cost(column) >= column.needs_title:
            chosen.append(column)
            used += _cost(column)
    title = Column(TITLE.key, TITLE.label, max(1, width - used))
    order = {"status": 0, "priority": 1, "due": 2, "project": 3, "labels": 4, "updated": 5}
    return (number, title, *sorted(chosen, key=lambda column: order[column.key]))
