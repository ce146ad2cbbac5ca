"""SQLite (embedded mode): `aiosqlite` connections, each on a thread of its own.

The event loop never waits on SQLite: every statement is handed to its connection's thread.
Readers run side by side (WAL); a write scope takes the write lock up front (`BEGIN
IMMEDIATE`), so concurrent writers queue for it (up to the busy timeout) instead of failing
when a read turns into a write.
"""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
import time
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiosqlite
from sqlalchemy import make_url
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite

from taskflow_core.adapters.database import ConstraintViolation, StatementFailed
from taskflow_core.adapters.statements import StatementCache
from taskflow_core.domain.errors import ServiceUnavailable

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Mapping, Sequence
    from contextlib import AbstractAsyncContextManager

    from sqlalchemy.sql import Executable

    from taskflow_core.adapters.statements import CompiledStatement
    from taskflow_core.settings import Settings

    Row = dict[str, Any]

# SQLite serialises writers, so more connections only add threads; a few let reads overlap.
MAX_CONNECTIONS = 4
DATABASE_BUSY = "Database busy, try again shortly"
# SQLite names a failed UNIQUE constraint by its columns; our naming convention turns those
# back into the constraint's name (uq_<table>_<column>...), as PostgreSQL reports it.
_UNIQUE_FAILED = re.compile(r"UNIQUE constraint failed: (\w+)\.(\w+(?:, \w+\.\w+)*)")


def prepare_sqlite_file(url: str) -> None:
    """Create the database's folder (0700) and file (0600) before SQLite does.

    SQLite gives its `-wal` and `-shm` files the database file's mode, so creating the file
    first keeps password hashes and tasks readable by their owner only; a file an older
    version left readable by others is tightened.
    """
    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return
    path = Path(database)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def lower_text(value: str | None) -> str | None:
    """SQL `tf_lower`: Unicode lower case (SQLite's lower() and LIKE fold only ASCII)."""
    return None if value is None else value.lower()


class SqliteDatabase:
    """`Database` on a SQLite file."""

    chains_writes = False
    searches_text_index = True

    def __init__(self, url: str, settings: Settings) -> None:
        self._url = url
        self._path = make_url(url).database or ":memory:"
        self._timeout = settings.db_timeout
        self._slots = asyncio.Semaphore(min(MAX_CONNECTIONS, settings.db_pool_size))
        self._idle: list[aiosqlite.Connection] = []
        self._statements = StatementCache(SQLiteDialect_pysqlite())
        self.statement_listeners: list[Callable[[str], None]] = []

    async def open(self) -> None:
        prepare_sqlite_file(self._url)

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            await connection.close()

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[_Connection]:
        async with self._connection() as connection:
            yield connection

    def writing(self) -> AbstractAsyncContextManager[_Connection]:
        return self.transaction()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[_Connection]:
        async with self._connection() as connection:
            await connection.begin()
            try:
                yield connection
            except BaseException:
                await connection.raw.rollback()
                raise
            await connection.commit()

    async def ping(self) -> float:
        started = time.perf_counter()
        async with self._connection() as connection:
            await connection.raw.execute_fetchall("SELECT 1")
        return time.perf_counter() - started

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[_Connection]:
        try:
            await asyncio.wait_for(self._slots.acquire(), self._timeout)
        except TimeoutError:
            raise ServiceUnavailable(DATABASE_BUSY) from None
        raw: aiosqlite.Connection | None = None
        try:
            raw = self._idle.pop() if self._idle else await self._connect()
            yield _Connection(raw, self)
        finally:
            if raw is not None:
                if raw.in_transaction:
                    await raw.rollback()
                self._idle.append(raw)
            self._slots.release()

    async def _connect(self) -> aiosqlite.Connection:
        connection = await aiosqlite.connect(
            self._path, isolation_level=None, timeout=self._timeout, check_same_thread=False
        )
        for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=NORMAL"):
            await connection.execute(f"PRAGMA {pragma}")
        await connection.create_function("tf_lower", 1, lower_text, deterministic=True)
        return connection


class _Connection:
    __slots__ = ("_database", "raw")

    def __init__(self, raw: aiosqlite.Connection, database: SqliteDatabase) -> None:
        self.raw = raw
        self._database = database

    async def rows(
        self, statement: Executable, values: Mapping[str, Any] | None = None
    ) -> list[Row]:
        compiled = self._compiled(statement)
        raw_rows = await self._guarded(
            compiled, self.raw.execute_fetchall(compiled.sql, compiled.parameters(values or {}))
        )
        return [compiled.row(raw) for raw in raw_rows]

    async def row(
        self, statement: Executable, values: Mapping[str, Any] | None = None
    ) -> Row | None:
        rows = await self.rows(statement, values)
        return rows[0] if rows else None

    async def scalar(self, statement: Executable, values: Mapping[str, Any] | None = None) -> Any:
        row = await self.row(statement, values)
        return None if row is None else next(iter(row.values()))

    async def execute(self, statement: Executable, values: Mapping[str, Any] | None = None) -> int:
        compiled = self._compiled(statement)
        cursor = await self._guarded(
            compiled, self.raw.execute(compiled.sql, compiled.parameters(values or {}))
        )
        count: int = cursor.rowcount
        await cursor.close()
        return count

    async def execute_many(self, statement: Executable, rows: Sequence[Mapping[str, Any]]) -> None:
        compiled = self._compiled(statement)
        parameters = [compiled.parameters(row) for row in rows]
        cursor = await self._guarded(compiled, self.raw.executemany(compiled.sql, parameters))
        await cursor.close()

    async def begin(self) -> None:
        await self._guarded(None, self.raw.execute("BEGIN IMMEDIATE"))

    async def commit(self) -> None:
        await self._guarded(None, self.raw.commit())

    def _compiled(self, statement: Executable) -> CompiledStatement:
        compiled = self._database._statements.compiled(statement)
        for listener in self._database.statement_listeners:
            listener(compiled.sql)
        return compiled

    @staticmethod
    async def _guarded(compiled: CompiledStatement | None, pending: Any) -> Any:
        try:
            return await pending
        except sqlite3.IntegrityError as error:
            raise ConstraintViolation(_constraint_name(str(error))) from None
        except sqlite3.OperationalError as error:
            if "locked" in str(error) or "busy" in str(error):
                raise ServiceUnavailable(DATABASE_BUSY) from None
            sql = compiled.sql if compiled is not None else "(transaction control)"
            raise StatementFailed(f"OperationalError in: {sql}") from None
        except sqlite3.Error as error:
            sql = compiled.sql if compiled is not None else "(transaction control)"
            raise StatementFailed(f"{type(error).__name__} in: {sql}") from None


def _constraint_name(message: str) -> str | None:
    unique = _UNIQUE_FAILED.search(message)
    if unique is not None:
        table = unique.group(1)
        columns = [part.split(".")[-1] for part in unique.group(2).split(", ")]
        return f"uq_{table}_{'_'.join(columns)}"
    if message.startswith("CHECK constraint failed: "):
        return message.removeprefix("CHECK constraint failed: ")
    return None
