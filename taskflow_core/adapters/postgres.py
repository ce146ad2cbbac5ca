"""PostgreSQL: psycopg's asyncio connections in a small pool of our own.

The pool connects on demand and never backs off: when PostgreSQL comes back after an outage,
the next request connects at once (psycopg_pool retries with exponential backoff from its own
worker, which kept the API down for tens of seconds after a restart). A connection idle for
more than `PING_AFTER_IDLE_SECONDS` is pinged before use; one whose statement failed because
the connection broke is dropped. A request waits at most `db_timeout` for a connection, then
gets 503; it is never retried (a retry would double the time a client waits for the answer).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import psycopg
from sqlalchemy import make_url
from sqlalchemy.dialects.postgresql.psycopg import PGDialectAsync_psycopg

from taskflow_core.adapters.database import (
    PING_AFTER_IDLE_SECONDS,
    ConstraintViolation,
    StatementFailed,
)
from taskflow_core.adapters.statements import StatementCache
from taskflow_core.domain.errors import ServiceUnavailable, StatementTimedOut

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence

    from sqlalchemy.sql import Executable

    from taskflow_core.adapters.statements import CompiledStatement
    from taskflow_core.settings import Settings

    Row = dict[str, Any]
    PgConnection = psycopg.AsyncConnection[tuple[Any, ...]]

log = logging.getLogger("taskflow.database")
T = TypeVar("T")

DATABASE_UNAVAILABLE = "Database unavailable"
# Statements per connection that psycopg keeps prepared (each request shape is one).
PREPARED_MAX = 256


class PostgresDatabase:
    """`Database` on PostgreSQL."""

    chains_writes = True
    searches_text_index = False

    def __init__(self, url: str, settings: Settings) -> None:
        self._conninfo = (
            make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        )
        self._timeout = settings.db_timeout
        self._pool = _Pool(
            self._connect, max_size=settings.db_pool_size, timeout=settings.db_timeout
        )
        # Timestamps come back in UTC, as the API answers them. Prepared statements keep one
        # generic plan: PostgreSQL otherwise weighs a fresh plan for each execution, and for a
        # list's statement (its count, the archived-project rule, the labels) it kept choosing
        # to plan again, ~1.5 ms each time.
        timeout = int(settings.statement_timeout * 1000)
        self._options = (
            f"-c statement_timeout={timeout} -c TimeZone=UTC -c plan_cache_mode=force_generic_plan"
        )
        self._statements = StatementCache(PGDialectAsync_psycopg())  # type: ignore[no-untyped-call]
        self.statement_listeners: list[Callable[[str], None]] = []

    async def open(self) -> None:
        """Nothing to do up front: connections are made when first needed."""

    async def close(self) -> None:
        await self._pool.close()

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[_Connection]:
        async with self._connection() as connection:
            yield connection

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[_Connection]:
        async with self._connection() as connection:
            connection.statements_left = 1
            yield connection

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[_Connection]:
        async with self._connection() as connection:
            try:
                async with connection.raw.transaction():
                    yield connection
            except psycopg.OperationalError as error:
                raise ServiceUnavailable(DATABASE_UNAVAILABLE) from error

    async def ping(self) -> float:
        started = time.perf_counter()
        async with self._connection() as connection:
            try:
                await connection.raw.execute("SELECT 1")
            except psycopg.OperationalError as error:
                # A pooled connection the crash broke: not ready, like any request now.
                raise ServiceUnavailable(DATABASE_UNAVAILABLE) from error
        return time.perf_counter() - started

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[_Connection]:
        raw = await self._pool.acquire()
        connection = _Connection(raw, self)
        try:
            yield connection
        finally:
            self._pool.release(raw)

    async def _connect(self) -> PgConnection:
        connection: PgConnection = await psycopg.AsyncConnection.connect(
            self._conninfo,
            autocommit=True,
            connect_timeout=max(2, round(self._timeout)),
            options=self._options,
        )
        connection.prepared_max = PREPARED_MAX
        return connection


class _Connection:
    """One pooled connection, lent for a scope."""

    __slots__ = ("_database", "raw", "statements_left")

    def __init__(self, raw: PgConnection, database: PostgresDatabase) -> None:
        self.raw = raw
        self._database = database
        # `writing()` allows exactly one statement: autocommit makes it atomic by itself.
        self.statements_left: int | None = None

    async def rows(
        self, statement: Executable, values: Mapping[str, Any] | None = None
    ) -> list[Row]:
        compiled, cursor = await self._run(statement, values)
        return [compiled.row(raw) for raw in await cursor.fetchall()]

    async def row(
        self, statement: Executable, values: Mapping[str, Any] | None = None
    ) -> Row | None:
        compiled, cursor = await self._run(statement, values)
        raw = await cursor.fetchone()
        return None if raw is None else compiled.row(raw)

    async def scalar(self, statement: Executable, values: Mapping[str, Any] | None = None) -> Any:
        row = await self.row(statement, values)
        return None if row is None else next(iter(row.values()))

    async def execute(self, statement: Executable, values: Mapping[str, Any] | None = None) -> int:
        _, cursor = await self._run(statement, values)
        return cursor.rowcount

    async def execute_many(self, statement: Executable, rows: Sequence[Mapping[str, Any]]) -> None:
        compiled = self._compiled(statement)
        async with self.raw.cursor() as cursor:
            await self._guarded(
                compiled, cursor.executemany(compiled.sql, [compiled.parameters(r) for r in rows])
            )

    async def _run(
        self, statement: Executable, values: Mapping[str, Any] | None
    ) -> tuple[CompiledStatement, psycopg.AsyncCursor[tuple[Any, ...]]]:
        compiled = self._compiled(statement)
        cursor = await self._guarded(
            compiled, self.raw.execute(compiled.sql, compiled.parameters(values or {}), binary=True)
        )
        return compiled, cursor

    def _compiled(self, statement: Executable) -> CompiledStatement:
        if self.statements_left is not None:
            if self.statements_left == 0:
                raise RuntimeError("writing() runs one statement; use transaction() for more")
            self.statements_left -= 1
        compiled = self._database._statements.compiled(statement)
        for listener in self._database.statement_listeners:
            listener(compiled.sql)
        return compiled

    @staticmethod
    async def _guarded(compiled: CompiledStatement, pending: Awaitable[T]) -> T:
        try:
            return await pending
        except psycopg.errors.IntegrityError as error:
            raise ConstraintViolation(error.diag.constraint_name) from None
        except psycopg.errors.QueryCanceled:
            log.warning("statement timed out: %s", compiled.sql.split(None, 1)[0])
            raise StatementTimedOut from None
        except psycopg.OperationalError as error:
            log.warning("database unavailable: %s", type(error).__name__)
            raise ServiceUnavailable(DATABASE_UNAVAILABLE) from None
        except psycopg.Error as error:
            raise StatementFailed(f"{type(error).__name__} in: {compiled.sql}") from None


class _Pool:
    """At most `max_size` connections, made on demand; waiters served first come, first served."""

    def __init__(self, connect: Callable[[], Any], *, max_size: int, timeout: float) -> None:
        self._connect = connect
        self._max_size = max_size
        self._timeout = timeout
        self._size = 0
        self._idle: list[tuple[PgConnection, float]] = []
        self._waiters: deque[asyncio.Future[PgConnection | None]] = deque()
        self._closed = False

    async def acquire(self) -> PgConnection:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._timeout
        while True:
            if self._closed:
                raise ServiceUnavailable(DATABASE_UNAVAILABLE)
            while self._idle:
                connection, idle_since = self._idle.pop()
                if await self._usable(connection, idle_since, deadline - loop.time()):
                    return connection
                self._discard(connection)
            if self._size < self._max_size:
                return await self._open(deadline - loop.time())
            waiter: asyncio.Future[PgConnection | None] = loop.create_future()
            self._waiters.append(waiter)
            try:
                handed = await asyncio.wait_for(waiter, max(0.0, deadline - loop.time()))
            except TimeoutError:
                raise ServiceUnavailable("Server busy, try again shortly") from None
            finally:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)
            if handed is not None:
                return handed
            # A connection was dropped: its slot is free, go round and make one.

    def release(self, connection: PgConnection) -> None:
        if connection.broken or connection.closed or self._closed or _in_transaction(connection):
            self._discard(connection)
            return
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(connection)
                return
        self._idle.append((connection, time.monotonic()))

    async def close(self) -> None:
        self._closed = True
        idle, self._idle = self._idle, []
        for connection, _ in idle:
            await connection.close()
        self._size -= len(idle)

    async def _open(self, remaining: float) -> PgConnection:
        self._size += 1
        try:
            return await asyncio.wait_for(self._connect(), max(0.0, remaining))
        except (psycopg.OperationalError, TimeoutError, OSError) as error:
            self._size -= 1
            self._wake_one()
            log.warning("cannot connect to the database: %s", type(error).__name__)
            raise ServiceUnavailable(DATABASE_UNAVAILABLE) from None

    async def _usable(self, connection: PgConnection, idle_since: float, remaining: float) -> bool:
        if connection.broken or connection.closed:
            return False
        if time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return True
        try:
            await asyncio.wait_for(connection.execute(""), max(0.0, remaining))
        except (psycopg.Error, TimeoutError, OSError):
            return False
        return True

    def _discard(self, connection: PgConnection) -> None:
        self._size -= 1
        if not connection.closed:
            # Closing a broken connection sends nothing; it only frees the socket.
            asyncio.get_running_loop().create_task(connection.close())
        self._wake_one()

    def _wake_one(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return


def _in_transaction(connection: PgConnection) -> bool:
    return connection.info.transaction_status != psycopg.pq.TransactionStatus.IDLE
