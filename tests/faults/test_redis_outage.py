"""Redis killed (-9) and restarted, then frozen (SIGSTOP) and thawed, under load: no request
fails, and no client ever reads its tasks as they were before its own last write.

tests/redis/test_degradation.py checks each degraded path in one process; this is the same
promise kept by a real two-process server while the clients keep writing and reading.
"""

from __future__ import annotations

import time
from functools import partial
from typing import TYPE_CHECKING, Any

import pytest

from tests.faults.load import Load
from tests.live_server import Api

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.live_server import Account, LiveServer, Response
    from tests.servers.redis_server import RedisServer

pytestmark = [pytest.mark.faults, pytest.mark.postgres, pytest.mark.redis]

CLIENTS = 4
# Seconds of load in each state: before, Redis killed, back, frozen, thawed.
PHASE = 3.0


def read(load: Load, client: int, kind: str, send: Callable[[], Response]) -> Any:
    """The body of a 200, else None (the outcome is recorded either way)."""
    response = load.call(kind, client, send)
    return response.json() if response is not None and response.status == 200 else None


def reads_its_own_writes(
    server: LiveServer, accounts: list[Account], stale: list[str]
) -> Callable[[Load, int], None]:
    """Per client: create a task, rename it, then read it, its list and its counts back."""

    def loop(load: Load, client: int) -> None:
        api = Api(server.url, token=accounts[client].access_token, keep_alive=False)
        created = 0
        while load.running:
            load.pause()
            title = {"title": f"client {client} task {created + 1}"}
            response = load.call("create", client, partial(api.post, "/tasks", title))
            if response is None or response.status != 201:
                continue
            created += 1
            task = response.json()["id"]
            renamed = f"client {client} task {created} renamed"
            rename = partial(api.patch, f"/tasks/{task}", {"title": renamed})
            if read(load, client, "patch", rename) is None:
                continue
            one = read(load, client, "get", partial(api.get, f"/tasks/{task}"))
            if one is not None and one["title"] != renamed:
                stale.append(f"client {client} read {one['title']!r} after {renamed!r}")
            page = read(load, client, "list", partial(api.get, "/tasks?limit=5"))
            newest = page["data"][0] if page is not None else {"id": task, "title": renamed}
            if (newest["id"], newest["title"]) != (task, renamed):
                stale.append(f"client {client} listed {newest['title']!r} after {renamed!r}")
            stats = read(load, client, "stats", partial(api.get, "/tasks/stats"))
            if stats is not None and stats["total"] != created:
                stale.append(f"client {client} counted {stats['total']} after creating {created}")

    return loop


def test_redis_killed_then_frozen_under_load_fails_no_request_and_serves_no_stale_read(
    redis_server: RedisServer, start_server: Callable[..., LiveServer]
) -> None:
    server = start_server(
        # The per-user limits run through Redis too; far above what the clients send.
        rate_limit="100000/minute",
        redis_breaker_cooldown="0.5",
    )
    accounts = [server.register() for _ in range(CLIENTS)]
    stale: list[str] = []
    load = Load()
    load.run(reads_its_own_writes(server, accounts, stale), CLIENTS)
    try:
        time.sleep(PHASE)
        redis_server.kill()
        killed = time.monotonic()
        time.sleep(PHASE)
        redis_server.start()
        back = time.monotonic()
        time.sleep(PHASE)
        redis_server.freeze()
        frozen = time.monotonic()
        time.sleep(PHASE)
        redis_server.thaw()
        thawed = time.monotonic()
        time.sleep(PHASE)
    finally:
        redis_server.thaw()
        load.stop()

    failed = [outcome for outcome in load.outcomes if not outcome.ok]
    assert not failed, "; ".join(str(outcome) for outcome in failed[:10])
    assert not stale, "; ".join(stale[:10])
    for start, end, state in ((killed, back, "killed"), (frozen, thawed, "frozen")):
        reads = load.between(start, end, "get")
        assert len(reads) >= CLIENTS, f"too little load while Redis was {state}: {len(reads)}"
    ready = Api(server.url, keep_alive=False)
    load.wait_until(
        lambda: ready.get("/health/ready").json()["checks"]["redis"]["status"] == "ok",
        10,
        "the server using Redis again",
    )
    print(f"{len(load.outcomes)} requests, none failed, no stale read")
