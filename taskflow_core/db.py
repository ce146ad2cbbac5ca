"""Engine and sessions: one `Database` per process, sessions as the unit of work."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    import sqlite3

    from sqlalchemy import URL, Engine

    from taskflow_core.settings import Settings

_WRITE_OPTION = "taskflow_write"


class Database:
    """The process's connection pool and the sessions drawn from it."""

    def __init__(self, settings: Settings, *, url: str | None = None) -> None:
        self.url: URL = make_url(url or settings.resolved_database_url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        self.engine = _create_engine(self.url, settings)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_sessions = sessionmaker(
            self.engine.execution_options(**{_WRITE_OPTION: True}), expire_on_commit=False
        )

    def session(self, *, write: bool = False) -> Session:
        """A new session; `write=True` when the work will change data.

        Nothing is committed unless the caller calls `commit()`; closing rolls back.
        """
        return (self._write_sessions if write else self._sessions)()

    @property
    def pool_capacity(self) -> int:
        """How many connections the pool can hand out at once."""
        size = getattr(self.engine.pool, "size", None)
        overflow = getattr(self.engine.pool, "_max_overflow", 0)
        return int(size()) + max(int(overflow), 0) if callable(size) else 1

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
    return create_engine(
        url,
        pool_pre_ping=True,
        connect_args={
            "connect_timeout": max(1, round(settings.db_timeout)),
            "options": f"-c statement_timeout={statement_ms}",
        },
        **pool_args,
    )


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
