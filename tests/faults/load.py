"""A small load generator: client threads whose every request is timed and kept.

Each request opens a connection of its own, so the kernel spreads them over the server's
worker processes and a fault that hits one process is seen as surely as one that hits all.
"""

from __future__ import annotations

import http.client
import threading
import time
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from tests.live_server import Api

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.live_server import Account, LiveServer, Response

CRUD = ("list", "get", "create", "patch")
# Between two requests of one client: enough to leave the machine's two cores to the server.
PAUSE = 0.01


@dataclass(frozen=True)
class Outcome:
    """One request: what it was, when, and what came back (status None: no response)."""

    kind: str
    client: int
    started: float
    ended: float
    status: int | None
    problem: bool = False
    error: str = ""
    task_id: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def took(self) -> float:
        return self.ended - self.started

    def __str__(self) -> str:
        result = self.status if self.status is not None else self.error
        return f"{self.kind} by client {self.client}: {result} after {self.took:.2f} s"


class Load:
    """Runs client loops on threads until `stop()`; `outcomes` grows as requests end."""

    def __init__(self) -> None:
        self.outcomes: list[Outcome] = []
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def running(self) -> bool:
        return not self._stopping.is_set()

    def run(self, loop: Callable[[Load, int], None], clients: int) -> None:
        for client in range(clients):
            thread = threading.Thread(target=loop, args=(self, client), daemon=True)
            self._threads.append(thread)
            thread.start()

    def stop(self) -> None:
        self._stopping.set()
        for thread in self._threads:
            thread.join(60)
            assert not thread.is_alive(), "a client thread did not stop"

    def pause(self) -> None:
        self._stopping.wait(PAUSE)

    def call(self, kind: str, client: int, send: Callable[[], Response]) -> Response | None:
        """Send one request, record its outcome; None if no response came back."""
        started = time.monotonic()
        try:
            response = send()
        except (OSError, http.client.HTTPException) as error:
            self.outcomes.append(
                Outcome(kind, client, started, time.monotonic(), None, error=repr(error))
            )
            return None
        task_id = None
        if kind == "create" and response.status == 201:
            task_id = response.json()["id"]
        self.outcomes.append(
            Outcome(
                kind, client, started, time.monotonic(), response.status,
                problem=response.is_problem, task_id=task_id,
            )
        )  # fmt: skip
        return response

    def between(self, start: float, end: float, *kinds: str) -> list[Outcome]:
        """The requests (of `kinds`, or all) that started at or after `start` and ended by `end`."""
        return [
            outcome
            for outcome in list(self.outcomes)
            if start <= outcome.started
            and outcome.ended <= end
            and (not kinds or outcome.kind in kinds)
        ]

    def wait_until(self, condition: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            assert time.monotonic() < deadline, f"{what}: not within {timeout} s"
            time.sleep(0.05)


def crud_clients(server: LiveServer, accounts: list[Account]) -> Callable[[Load, int], None]:
    """A loop per account: list, get, create, patch its own tasks, round and round."""

    def loop(load: Load, client: int) -> None:
        api = Api(server.url, token=accounts[client].access_token, keep_alive=False)
        latest = ""
        count = 0
        while load.running:
            count += 1
            kind = "create" if not latest else CRUD[count % len(CRUD)]
            if kind == "list":
                load.call(kind, client, partial(api.get, "/tasks?limit=20"))
            elif kind == "get":
                load.call(kind, client, partial(api.get, f"/tasks/{latest}"))
            elif kind == "create":
                title = {"title": f"load {client}.{count}"}
                response = load.call(kind, client, partial(api.post, "/tasks", title))
                if response is not None and response.status == 201:
                    latest = response.json()["id"]
            else:
                title = {"title": f"patched {client}.{count}"}
                load.call(kind, client, partial(api.patch, f"/tasks/{latest}", title))
            load.pause()

    return loop


def readiness_probe(server: LiveServer) -> Callable[[Load, int], None]:
    """A loop asking `/health/ready` over and over (outcomes of kind `ready`)."""

    def loop(load: Load, client: int) -> None:
        api = Api(server.url, keep_alive=False)
        while load.running:
            load.call("ready", client, partial(api.get, "/health/ready"))
            load.pause()

    return loop
