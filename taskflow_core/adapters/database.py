"""The database, as operations see it: connections that run compiled Core statements.

An operation asks for one of three scopes and runs its statements on what it gets:

- `reading()`: each statement sees its own snapshot (autocommit); a read is one statement.
- `writing()`: ONE atomic write. On PostgreSQL that is a single statement in autocommit (one
  round trip; operations chain dependent changes into it with data-modifying CTEs); on SQLite,
  which has no DML in a CTE, a write transaction around the statements `chain` runs instead.
- `transaction()`: several statements committed together, rolled back on any exception.

PostgreSQL (psycopg's asyncio connections) and SQLite (`aiosqlite`, which keeps each
connection on a thread of its own) are the two runners; the statements are the same objects
for both (`taskflow_core.adapters.statements`).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from contextlib import AbstractAsyncContextManager

    from sqlalchemy.sql import Executable

    Row = dict[str, Any]

log = logging.getLogger("taskflow.database")

# A connection that served a statement this recently is alive; one idle for longer (where
# restarts and idle timeouts strike) is pinged before it is used again.
PING_AFTER_IDLE_SECONDS = 1.0


class ConstraintViolation(Exception):
    """A statement broke a unique, foreign-key or check constraint (named, when known)."""

    def __init__(self, constraint: str | None) -> None:
        super().__init__(constraint or "constraint violated")
        self.constraint = constraint


class StatementFailed(Exception):
    """A statement failed for a reason that is a bug, not the database's state.

    It names the statement's SQL only: a driver's message can quote the values sent (a
    user's search text, an email), which must not reach the logs.
    """


class Connection(Protocol):
    """One connection for the length of a scope; statements run in the order awaited."""

    async def rows(
        self, statement: Executable, values: Mapping[str, Any] | None = None
    ) -> list[Row]:
        """Every row the statement returns, as {column: value}."""
        ...

    async def row(
        self, statement: Executable, values: Mapping[str, Any] | None = None
    ) -> Row | None:
        """The first row the statement returns, or None."""
        ...

    async def scalar(self, statement: Executable, values: Mapping[str, Any] | None = None) -> Any:
        """The first column of the first row, or None."""
        ...

    async def execute(self, statement: Executable, values: Mapping[str, Any] | None = None) -> int:
        """Run a statement for its effect; the number of rows it touched."""
        ...

    async def execute_many(self, statement: Executable, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run a statement once for each of `rows`' values (one round trip where the driver can)."""
        ...


class Database(Protocol):
    """A pool of connections to PostgreSQL or SQLite, opened in the event loop that uses it."""

    # Whether one statement may carry several writes (data-modifying CTEs: PostgreSQL).
    chains_writes: bool
    # Whether a search first looks its term up in a text index of its own (SQLite's FTS5);
    # PostgreSQL's trigram indexes serve the search's own expressions instead.
    searches_text_index: bool
    # Called with each statement's SQL before it runs (tests and benchmarks count them).
    statement_listeners: list[Callable[[str], None]]

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    def reading(self) -> AbstractAsyncContextManager[Connection]: ...

    def writing(self) -> AbstractAsyncContextManager[Connection]: ...

    def transaction(self) -> AbstractAsyncContextManager[Connection]: ...

    async def ping(self) -> float:
        """Round trip of a trivial statement, in seconds.

        Raises:
            ServiceUnavailable: the database does not answer within the timeout.
        """
        ...
