"""Engine and sessions: one `Database` per process, sessions as the unit of work."""

from __future__ import annotations

import functools
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, create_engine, event, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    import sqlite3

    from sqlalchemy import URL, Dialect, Engine
    from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

    from taskflow_core.settings import Settings

_WRITE_OPTION = "taskflow_write"
_IDLE_SINCE = "taskflow_idle_since"
PING_AFTER_IDLE_SECONDS = 1.0


class Database:
    """The process's connection pool and the sessions drawn from it."""

    def __init__(self, settings: Settings, *, url: str | None = None) -> None:
        self.url: URL = make_url(url or settings.resolved_database_url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        self.engine = _create_engine(self.url, settings)
        # Reads on PostgreSQL run in autocommit: each statement sees its own snapshot, just
        # as inside a READ COMMITTED transaction, minus the BEGIN and ROLLBACK round trips
        # (two of a cached read's three). SQLite keeps its transaction: a deferred BEGIN
        # costs no round trip there, and it holds one WAL snapshot across the statements.
        readers = (
            self.engine
            if self.is_sqlite
            else self.engine.execution_options(isolation_level="AUTOCOMMIT")
        )
        self._sessions = sessionmaker(readers, expire_on_commit=False)
        self._write_sessions = sessionmaker(
            self.engine.execution_options(**{_WRITE_OPTION: True}), expire_on_commit=False
        )

    def session(self, *, write: bool = False) -> Session:
        """A new session; `write=True` when the work will change data.

        Nothing is committed unless the caller calls `commit()`; closing rolls back. A read
        session must not write: on PostgreSQL each of its statements commits on its own.
        """
        return (self._write_sessions if write else self._sessions)()

    @property
    def request_slots(self) -> int:
        """How many requests may hold a connection at once: the pool's steady size.

        The overflow is left to health checks and the scheduler; were requests to use it,
        every burst would open connections only to close them again on return.
        """
        size = getattr(self.engine.pool, "size", None)
        return int(size()) if callable(size) else 1

    def dispose(self) -> None:
        self.engine.dispose()


def ensure_sqlite_directory(url: URL | str) -> None:
    """Create the folder of a SQLite database file, which SQLite will not do itself."""
    url = make_url(url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)


def _create_engine(url: URL, settings: Settings) -> Engine:
    pool_args: dict[str, Any] = {
        "pool_size": settings.db_pool_size,
        "max_overflow": settings.db_max_overflow,
        "pool_timeout": settings.db_timeout,
    }
    if url.get_backend_name() == "sqlite":
        ensure_sqlite_directory(url)
        engine = create_engine(
            url,
            connect_args={"timeout": settings.db_timeout, "check_same_thread": False},
            **pool_args,
        )
        event.listen(engine, "connect", _configure_sqlite)
        event.listen(engine, "begin", _begin_sqlite)
        return engine
    statement_ms = int(settings.statement_timeout * 1000)
    engine = create_engine(
        url,
        connect_args={
            "connect_timeout": max(1, round(settings.db_timeout)),
            "options": f"-c statement_timeout={statement_ms}",
        },
        **pool_args,
    )
    event.listen(engine.pool, "checkin", _note_checkin)
    event.listen(engine.pool, "checkout", functools.partial(_ping_if_idle, engine.dialect))
    return engine


def _note_checkin(_dbapi_connection: object, record: ConnectionPoolEntry) -> None:
    record.info[_IDLE_SINCE] = time.monotonic()


def _ping_if_idle(
    dialect: Dialect,
    dbapi_connection: Any,
    record: ConnectionPoolEntry,
    _proxy: PoolProxiedConnection,
) -> None:
    # pool_pre_ping costs a round trip on every checkout, as much as the query that
    # authenticates a request. A connection that served a request a moment ago is alive;
    # only one that sat idle (where server restarts and idle timeouts strike) is pinged.
    idle_since = record.info.get(_IDLE_SINCE)
    if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
        return
    try:
        # The dialect's ping leaves no transaction open (a bare SELECT would, and a read
        # session could then not switch the connection to autocommit).
        dialect.do_ping(dbapi_connection)
    except Exception as error:
        # The pool drops this connection and checks out another (or connects afresh).
        raise DisconnectionError from error


def _configure_sqlite(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    # Take transaction control away from the sqlite3 module so _begin_sqlite decides how
    # each transaction starts.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _begin_sqlite(connection: Connection) -> None:
    # A deferred transaction that reads and then writes fails at once with "database is
    # locked" when another writer got there first; IMMEDIATE takes the write lock up
    # front, so concurrent writers wait their turn (up to the busy timeout) instead.
    write = connection.get_execution_options().get(_WRITE_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
