"""SQLAlchemy Core statements compiled once, then run straight on the driver.

Operations build their statements with SQLAlchemy (once per shape, see `operations.sql`); the
database runners execute them without SQLAlchemy's execution layer, whose per-statement work
(and, for asyncio, its greenlet bridge) cost more CPU than PostgreSQL spent answering a page
of tasks (docs/performance.md). What SQLAlchemy would do around each execution is done here
from the compiled form: the statement's own constants, each parameter's conversion to the
driver's type (a UUID to text on SQLite, an enum to its rank, a datetime to UTC), and each
returned column's conversion back.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from sqlalchemy.sql.selectable import SelectBase

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from sqlalchemy import Dialect
    from sqlalchemy.sql import Executable

    Row = dict[str, Any]

# Statements are built once per shape, so a few hundred cover every request; the bound only
# keeps a statement built per call (a programming slip) from growing the cache for ever.
MAX_COMPILED = 1024


class CompiledStatement:
    """One statement as SQL text for a dialect, with its parameter and column conversions."""

    __slots__ = ("_constants", "_conversions", "_names", "_positions", "_processors", "sql")

    def __init__(self, statement: Executable, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)  # type: ignore[attr-defined]
        self.sql = str(compiled)
        names = compiled.bind_names
        self._constants = {names[bind]: bind.value for bind in names if not bind.required}
        self._processors: dict[str, Callable[[Any], Any]] = {
            names[bind]: processor
            for bind in names
            if (processor := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None
        }
        # qmark drivers (sqlite3) take a sequence in the order of the placeholders.
        self._positions = list(compiled.positiontup) if compiled.positiontup else None
        selected = (
            statement.selected_columns
            if isinstance(statement, SelectBase)
            else getattr(statement, "exported_columns", ())
        )
        self._names = tuple(column.name for column in selected)
        self._conversions = tuple(
            (column.name, convert)
            for column in selected
            if (convert := column.type.dialect_impl(dialect).result_processor(dialect, None))
        )

    def parameters(self, values: Mapping[str, Any]) -> dict[str, Any] | list[Any]:
        """The driver's parameters for these values (names as the statement binds them)."""
        parameters = self._constants | dict(values)
        for name, process in self._processors.items():
            parameters[name] = process(parameters[name])
        if self._positions is None:
            return parameters
        return [parameters[name] for name in self._positions]

    def row(self, raw: tuple[Any, ...]) -> Row:
        """A returned row as {column name: Python value}."""
        row = dict(zip(self._names, raw, strict=True))
        for name, convert in self._conversions:
            value = row[name]
            if value is not None:
                row[name] = convert(value)
        return row


class StatementCache:
    """Each statement compiled once per database, kept while it is in use."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        # Keyed by identity: statements are immutable and built once per shape. The entry
        # holds the statement, so its id cannot be reused while the entry lives.
        self._compiled: OrderedDict[int, tuple[Executable, CompiledStatement]] = OrderedDict()

    def compiled(self, statement: Executable) -> CompiledStatement:
        key = id(statement)
        entry = self._compiled.get(key)
        if entry is not None:
            self._compiled.move_to_end(key)
            return entry[1]
        compiled = CompiledStatement(statement, self.dialect)
        self._compiled[key] = (statement, compiled)
        if len(self._compiled) > MAX_COMPILED:
            self._compiled.popitem(last=False)
        return compiled
