"""Fault tests: a PostgreSQL, a Redis and a `taskflow server` of each test's own, to break.

Never the services the rest of the suite shares: these get killed, paused and restarted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests import services
from tests.live_server import LiveServer, server_environment
from tests.servers import Unavailable
from tests.servers.postgres_server import PostgresServer
from tests.servers.redis_server import RedisServer

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

TEST_DATABASE = "taskflow_faults"


@pytest.fixture
def postgres(tmp_path: Path) -> Iterator[PostgresServer]:
    """A running PostgreSQL cluster of this test's own."""
    try:
        server = PostgresServer(tmp_path)
    except Unavailable as missing:
        services.service_unavailable(services.POSTGRES, str(missing))
    try:
        server.start()
        server.create_database(TEST_DATABASE)
        yield server
    finally:
        server.remove()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A running redis-server of this test's own."""
    try:
        server = RedisServer(tmp_path)
    except Unavailable as missing:
        services.service_unavailable(services.REDIS, str(missing))
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def environment(
    postgres: PostgresServer, redis_server: RedisServer, tmp_path: Path
) -> dict[str, str]:
    """Services mode on this test's PostgreSQL and Redis (for the server and the workers)."""
    return server_environment(
        database_url=postgres.url(TEST_DATABASE), redis_url=redis_server.url, data_dir=tmp_path
    )


@pytest.fixture
def start_server(
    environment: dict[str, str], tmp_path: Path
) -> Iterator[Callable[..., LiveServer]]:
    """Start `taskflow server` (2 workers unless told) with more `TASKFLOW_*` settings."""
    started: list[LiveServer] = []

    def start(*, workers: int = 2, **settings: str) -> LiveServer:
        server = LiveServer(
            environment | {f"TASKFLOW_{k.upper()}": v for k, v in settings.items()},
            tmp_path,
            workers=workers,
        )
        started.append(server)
        server.start()
        return server

    yield start
    for server in started:
        server.stop()
