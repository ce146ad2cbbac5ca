"""Race tests: one real `taskflow server` with two worker processes, on PostgreSQL and Redis.

Each race opens its clients' connections first, then lets every client send at one instant
(a barrier), many rounds over.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, TypeVar

import pytest

from tests import services
from tests.live_server import LiveServer, server_environment

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from tests.live_server import Api

T = TypeVar("T")
BARRIER_TIMEOUT = 30.0


@pytest.fixture(scope="package")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    workdir = tmp_path_factory.mktemp("races")
    environment = server_environment(
        database_url=services.fresh_postgres_database(f"races_{services.worker_suffix()}"),
        redis_url=services.redis_url(),
        data_dir=workdir,
    )
    running = LiveServer(environment, workdir, workers=2)
    try:
        running.start()
        yield running
    finally:
        running.stop()


def race(clients: list[Api], send: Callable[[int, Api], T]) -> list[T]:
    """Connect every client, then call `send(index, client)` on all of them at one instant."""
    for client in clients:
        client.connect()
    barrier = threading.Barrier(len(clients))

    def run(index: int) -> T:
        barrier.wait(BARRIER_TIMEOUT)
        return send(index, clients[index])

    try:
        with ThreadPoolExecutor(max_workers=len(clients)) as pool:
            return list(pool.map(run, range(len(clients))))
    finally:
        for client in clients:
            client.close()
