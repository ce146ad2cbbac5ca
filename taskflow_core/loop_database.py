"""Statements run on the event loop: the caller's row, reading, creating and patching a task.

`auth.authenticate` reads the caller's row through a worker thread and a SQLAlchemy session.
For a read the cache answers, and for a create or a patch of one's own task (each one
statement on PostgreSQL), that hop and that session cost more CPU than the rest of the
request; here the same statements run prepared, in autocommit, on a small psycopg async
pool. PostgreSQL only: SQLite has no driver that would not itself need a thread.
"""

from __future__ import annotations

import time
import weakref
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg_pool import AsyncConnectionPool
from sqlalchemy import Select

from taskflow_core import db
from taskflow_core.clock import utcnow
from taskflow_core.errors import AuthenticationFailed, FieldError, InvalidInput
from taskflow_core.schemas import TaskOut
from taskflow_core.security import INVALID_TOKEN
from taskflow_core.services import task_queries
from taskflow_core.services.auth import CALLER, actor_from_row
from taskflow_core.services.task_commands import (
    INSERT_NUMBERED_TASK,
    NO_SUCH_OWNER,
    new_task_values,
    own_task_update,
    task_owner,
)

if TYPE_CHECKING:
    import uuid
    from collections.abc import Callable, Collection

    from sqlalchemy import Dialect, Insert

    from taskflow_core.actor import Actor
    from taskflow_core.db import Database
    from taskflow_core.enums import TaskStatus
    from taskflow_core.schemas import TaskCreate, TaskUpdate
    from taskflow_core.security import AccessClaims
    from taskflow_core.settings import Settings

# A patch's statement: the fields it sets, the status it sets (if any), whether If-Match.
_PatchShape = tuple[tuple[str, ...], "TaskStatus | None", bool]

# A statement holds its connection for one round trip (about a millisecond), so a few
# connections serve thousands of requests a second; more would only crowd PostgreSQL.
MAX_CONNECTIONS = 4


class LoopDatabase:
    """The few statements requests run without leaving the event loop."""

    def __init__(self, database: Database, settings: Settings) -> None:
        conninfo = database.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._last_used: weakref.WeakKeyDictionary[psycopg.AsyncConnection[Any], float] = (
            weakref.WeakKeyDictionary()
        )
        self._pool = AsyncConnectionPool(
            conninfo,
            min_size=1,
            max_size=max(1, min(MAX_CONNECTIONS, settings.db_pool_size)),
            timeout=settings.db_timeout,
            open=False,
            check=self._ping_if_idle,
            kwargs={
                "autocommit": True,
                "connect_timeout": max(1, round(settings.db_timeout)),
                "options": f"-c statement_timeout={int(settings.statement_timeout * 1000)}",
            },
        )
        dialect = database.engine.dialect
        self._caller_sql = str(CALLER.compile(dialect=dialect))
        self._dialect = dialect
        self._insert_task = _Prepared(INSERT_NUMBERED_TASK, dialect)
        self._task_by_id = {
            statement: _Prepared(statement, dialect)
            for statement in (task_queries.OWN_TASK, task_queries.ANY_TASK)
        }
        # One statement for each set of fields a patch sends (at most a few hundred).
        self._own_task_updates: dict[_PatchShape, _Prepared] = {}
        # Statements run, for the benchmark's SQL-per-request figure (it cannot see these
        # through SQLAlchemy's events).
        self.statements = 0

    async def open(self) -> None:
        """Start connecting in the background; a database that is down does not block."""
        await self._pool.open(wait=False)

    async def close(self) -> None:
        await self._pool.close()

    async def actor(self, claims: AccessClaims) -> Actor:
        """As `auth.authenticate`.

        Raises:
            AuthenticationFailed: the user is gone or deactivated.
            psycopg.OperationalError: the database does not answer.
            psycopg_pool.PoolTimeout: every connection stayed busy for `db_timeout`.
        """
        parameters = {"user_id": claims.user_id}
        try:
            row = await self._fetch_one(self._caller_sql, parameters)
        except psycopg.OperationalError:
            # A connection that died within the ping's idle window (a database restart a
            # moment ago). Checking drops every dead idle one, so a read can simply retry.
            await self._pool.check()
            row = await self._fetch_one(self._caller_sql, parameters)
        return actor_from_row(claims, row)

    async def task(self, *, actor: Actor, task_id: uuid.UUID) -> TaskOut:
        """As `task_queries.get_task`.

        Raises:
            NotFound: no such task, or another user's.
            psycopg.OperationalError: the database does not answer.
        """
        statement, parameters = task_queries.task_by_id(actor, task_id)
        prepared = self._task_by_id[statement]
        row = await self._fetch_one(prepared.sql, parameters)
        return task_queries.task_from_row(None if row is None else prepared.columns(row))

    async def create_task(self, *, claims: AccessClaims, data: TaskCreate) -> TaskOut:
        """As `task_commands.create_task`, for the bearer of `claims`.

        A task of the caller's own is one statement and one round trip: the statement
        refuses an owner who is not an active user, which for the caller is the check
        `actor` makes, so their row is not read first. Naming another owner takes the
        caller's role, so then their row is read first, as for any request.

        Raises:
            AuthenticationFailed: the caller is gone or deactivated.
            PermissionDenied: a user (not an admin) named another owner.
            InvalidInput: the other owner named is not an active user.
            psycopg.OperationalError: the database does not answer.
        """
        own = data.user_id is None or data.user_id == claims.user_id
        owner = claims.user_id if own else task_owner(await self.actor(claims), data)
        values = new_task_values(owner, data, now=utcnow())
        parameters = self._insert_task.parameters(values | {"owner": owner})
        row = await self._fetch_one(self._insert_task.sql, parameters)
        if row is None and own:
            raise AuthenticationFailed(INVALID_TOKEN)
        if row is None:
            raise InvalidInput(errors=[FieldError("userId", NO_SUCH_OWNER)])
        return TaskOut.model_validate(values | {"number": row[0]})

    async def update_own_task(
        self,
        *,
        claims: AccessClaims,
        task_id: uuid.UUID,
        data: TaskUpdate,
        if_match: Collection[int] | None,
    ) -> TaskOut | None:
        """`task_commands.update_task` as one statement, for a task of the caller's own.

        None when it was not done here: the task is not the caller's (or is gone), If-Match
        names another version, the caller is gone or deactivated, or the patch is not one
        statement (a new owner, no fields). `update_task` then does it, or says why not.

        Raises:
            psycopg.OperationalError: the database does not answer.
        """
        changes = data.changes()
        changes.pop("user_id", None)
        if data.user_id is not None or not changes:
            return None
        status = data.status if "status" in changes else None
        shape = (tuple(sorted(changes)), status, if_match is not None)
        prepared = self._own_task_updates.get(shape)
        if prepared is None:
            statement = own_task_update(shape[0], status=status, if_match=shape[2])
            prepared = self._own_task_updates[shape] = _Prepared(statement, self._dialect)
        values = changes | {"task_id": task_id, "owner": claims.user_id, "now": utcnow()}
        if if_match is not None:
            values["if_match"] = sorted(if_match)
        row = await self._fetch_one(prepared.sql, prepared.parameters(values))
        return None if row is None else TaskOut.model_validate(prepared.columns(row))

    async def _fetch_one(self, sql: str, parameters: dict[str, Any]) -> tuple[Any, ...] | None:
        # getconn/putconn rather than `pool.connection()`: that context also enters the
        # connection's, whose COMMIT (a no-op in autocommit) still costs a wait on the loop.
        # With no `reset` callback the pool takes the connection back inline, not through
        # a task of its worker's. Together: 6% of a cached page's instructions, 10% of a
        # create's. The time is noted only after a statement that worked: a connection
        # whose statement failed is pinged before its next use.
        connection = await self._pool.getconn()
        try:
            self.statements += 1
            cursor = await connection.execute(sql, parameters, prepare=True)
            row = await cursor.fetchone()
            self._last_used[connection] = time.monotonic()
            return row
        finally:
            await self._pool.putconn(connection)

    async def _ping_if_idle(self, connection: psycopg.AsyncConnection[Any]) -> None:
        # As the synchronous engine does: a connection that served a request a moment ago
        # is alive; one that sat idle (where restarts and idle timeouts strike) is pinged,
        # and the pool replaces it if the ping fails. A write is never sent on a dead one.
        last_used = self._last_used.get(connection)
        if last_used is None or time.monotonic() - last_used >= db.PING_AFTER_IDLE_SECONDS:
            await AsyncConnectionPool.check_connection(connection)


class _Prepared:
    """A statement as SQL text, its parameters as the driver takes them, and (for a SELECT)
    its rows as each column's value in Python."""

    def __init__(self, statement: Select[Any] | Insert, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        # The statement's own constants (the `+ 1`s), then each column's conversion (an
        # enum to its rank, a datetime to UTC) that SQLAlchemy would apply.
        names = compiled.bind_names  # each parameter -> its name in the SQL text
        self._constants = {names[bind]: bind.value for bind in names if not bind.required}
        self._processors: dict[str, Callable[[Any], Any]] = {
            names[bind]: processor
            for bind in names
            if (processor := bind.type.bind_processor(dialect)) is not None
        }
        # What SQLAlchemy would do to each column it reads back (a rank to its enum, ...).
        selected = statement.selected_columns if isinstance(statement, Select) else ()
        self._columns = [
            (column.name, column.type.result_processor(dialect, None)) for column in selected
        ]

    def parameters(self, values: dict[str, Any]) -> dict[str, Any]:
        parameters: dict[str, Any] = self._constants | values
        for name, process in self._processors.items():
            parameters[name] = process(parameters[name])
        return parameters

    def columns(self, row: tuple[Any, ...]) -> dict[str, Any]:
        return {
            name: value if process is None else process(value)
            for (name, process), value in zip(self._columns, row, strict=True)
        }
