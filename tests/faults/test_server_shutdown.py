"""SIGTERM to the server under load: the requests it has accepted finish, then it exits 0.

Some requests are held in flight on purpose: they send their headers with `Expect:
100-continue`, and the server's `100 Continue` proves the application is handling them before
the signal is sent; their bodies follow after it. Each must still get its answer.
"""

from __future__ import annotations

import json
import socket
import time
from functools import partial
from typing import TYPE_CHECKING

import pytest

from tests.faults.load import Load
from tests.live_server import REQUEST_TIMEOUT, Api

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.live_server import Account, LiveServer

pytestmark = [pytest.mark.faults, pytest.mark.postgres, pytest.mark.redis]

CLIENTS = 4
IN_FLIGHT = 4
# How long the held requests stay unfinished after the signal.
HOLD = 1.0


class HeldRequest:
    """A request whose body is sent only when told to, on a connection of its own."""

    def __init__(self, server: LiveServer, method: str, path: str, body: object, token: str):
        self._body = json.dumps(body).encode()
        self._socket = socket.create_connection(("127.0.0.1", server.port), REQUEST_TIMEOUT)
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(self._body)}\r\nExpect: 100-continue\r\n\r\n"
        )
        self._socket.sendall(head.encode())
        self._reply = self._socket.makefile("rb")

    def wait_for_continue(self) -> bytes:
        """The server's interim response (`HTTP/1.1 100 Continue` once it reads the body)."""
        status = self._reply.readline()
        while self._reply.readline() not in (b"\r\n", b""):
            pass
        return status

    def finish(self) -> int:
        """Send the body; the final response's status."""
        self._socket.sendall(self._body)
        status = int(self._reply.readline().split()[1])
        self._socket.close()
        return status


def background_clients(server: LiveServer, accounts: list[Account]) -> Callable[[Load, int], None]:
    """Keep-alive clients listing and creating until the server goes away."""

    def loop(load: Load, client: int) -> None:
        api = Api(server.url, token=accounts[client].access_token)
        count = 0
        while load.running:
            count += 1
            if count % 2:
                send = partial(api.get, "/tasks?limit=10")
            else:
                send = partial(api.post, "/tasks", {"title": f"background {client}.{count}"})
            if load.call("list" if count % 2 else "create", client, send) is None:
                load.pause()

    return loop


def test_sigterm_under_load_lets_accepted_requests_finish_and_exits_0(
    start_server: Callable[..., LiveServer],
) -> None:
    server = start_server()
    accounts = [server.register() for _ in range(CLIENTS)]
    owner = accounts[0]
    task = server.api(owner).post("/tasks", {"title": "to be renamed"}).json()
    load = Load()
    load.run(background_clients(server, accounts), CLIENTS)
    held = [
        HeldRequest(server, "POST", "/tasks", {"title": f"held {n}"}, owner.access_token)
        if n % 2
        else HeldRequest(
            server, "PATCH", f"/tasks/{task['id']}", {"title": f"held {n}"}, owner.access_token
        )
        for n in range(IN_FLIGHT)
    ]
    try:
        interim = [request.wait_for_continue() for request in held]
        assert all(line.startswith(b"HTTP/1.1 100") for line in interim), interim
        load.wait_until(lambda: len(load.outcomes) >= 20, 30, "the background load")
        assert server.process is not None
        server.process.terminate()
        signalled = time.monotonic()
        time.sleep(HOLD)
        statuses = [request.finish() for request in held]
        code = server.process.wait(30)
    finally:
        load.stop()

    assert statuses == [200 if n % 2 == 0 else 201 for n in range(IN_FLIGHT)]
    assert code == 0, server.log()
    answered = [outcome.status for outcome in load.outcomes if outcome.status is not None]
    assert answered, "the background load got no answer"
    assert max(answered) < 500, server.log()
    cut_off = [o for o in load.outcomes if o.status is None and o.ended < signalled]
    assert not cut_off, "; ".join(str(outcome) for outcome in cut_off)
