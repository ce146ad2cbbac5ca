"""The caller's row read on the event loop, so a cache hit needs no worker thread.

`auth.authenticate` reads the row through a worker thread and a SQLAlchemy session. For a
read the cache answers, that hop and that session cost more CPU than the rest of the
request; here the same statement runs prepared, in autocommit, on a small psycopg async pool.
PostgreSQL only: SQLite has no driver that would not itself need a thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import psycopg
from psycopg_pool import AsyncConnectionPool

from taskflow_core.services.auth import CALLER, actor_from_row

if TYPE_CHECKING:
    from taskflow_core.actor import Actor
    from taskflow_core.db import Database
    from taskflow_core.security import AccessClaims
    from taskflow_core.settings import Settings

# A lookup holds its connection for one round trip (a fraction of a millisecond), so a few
# connections serve thousands of requests a second; more would only crowd PostgreSQL.
MAX_CONNECTIONS = 4


class AsyncCallers:
    """Turns verified claims into an `Actor` without leaving the event loop."""

    def __init__(self, database: Database, settings: Settings) -> None:
        conninfo = database.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._pool = AsyncConnectionPool(
            conninfo,
            min_size=1,
            max_size=max(1, min(MAX_CONNECTIONS, settings.db_pool_size)),
            timeout=settings.db_timeout,
            open=False,
            kwargs={
                "autocommit": True,
                "connect_timeout": max(1, round(settings.db_timeout)),
                "options": f"-c statement_timeout={int(settings.statement_timeout * 1000)}",
            },
        )
        self._sql = str(CALLER.compile(dialect=database.engine.dialect))
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
        try:
            row = await self._fetch(claims)
        except psycopg.OperationalError:
            # Connections die while idle (a database restart, an idle timeout). Checking
            # the idle ones drops every dead one, so the retry gets a live or a new one.
            await self._pool.check()
            row = await self._fetch(claims)
        return actor_from_row(claims, row)

    async def _fetch(self, claims: AccessClaims) -> tuple[Any, ...] | None:
        async with self._pool.connection() as connection:
            self.statements += 1
            cursor = await connection.execute(self._sql, {"user_id": claims.user_id}, prepare=True)
            return await cursor.fetchone()
