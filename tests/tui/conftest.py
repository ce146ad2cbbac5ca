"""Fixtures for the dashboard: a real TaskFlow server on a free port (uvicorn in a thread,
SQLite built by the migrations), a file keyring in a temp home, and the app under Pilot."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
import pytest
import uvicorn

from server.app import create_app
from taskflow_cli.tui.app import TaskflowApp
from taskflow_cli.tui.options import TuiOptions
from taskflow_core.adapters import migrate
from taskflow_core.admin import create_admin
from taskflow_core.operations.jobs import scan_overdue
from taskflow_core.runtime import open_runtime
from taskflow_core.schemas import UserCreate
from tests.conftest import make_settings

T = TypeVar("T")

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from textual.app import App
    from textual.pilot import Pilot

    from taskflow_core.settings import Settings

PASSWORD = "correct horse battery"
PLAINTEXT_KEYRING = "keyrings.alt.file.PlaintextKeyring"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def in_another_thread(work: Callable[..., T], *args: Any) -> T:
    """Run `work(*args)` on a thread of its own: it opens an event loop, and the Pilot tests
    call it from inside theirs."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(work, *args).result()


@dataclass
class LiveServer:
    """A running TaskFlow server and its settings (for what only an operator can do)."""

    url: str
    settings: Settings
    process: uvicorn.Server
    thread: threading.Thread
    http: httpx.Client

    def stop(self) -> None:
        """Stop answering, as a crashed or stopped server does."""
        self.process.should_exit = True
        self.thread.join(timeout=10)

    def register(self) -> Person:
        email = f"tui-{uuid.uuid4().hex[:12]}@example.com"
        response = self.http.post(
            "/auth/register",
            json={"email": email, "name": "Tui Tester", "password": PASSWORD},
        )
        assert response.status_code == 201, response.text
        body = response.json()
        return Person(server=self, email=email, token=body["accessToken"], id=body["user"]["id"])

    def admin(self) -> Person:
        email = f"admin-{uuid.uuid4().hex[:12]}@example.com"
        data = UserCreate(email=email, name="Admin", password=PASSWORD)
        in_another_thread(create_admin, self.settings, data)
        response = self.http.post("/auth/login", json={"email": email, "password": PASSWORD})
        body = response.json()
        return Person(server=self, email=email, token=body["accessToken"], id=body["user"]["id"])

    def scan_overdue(self) -> int:
        """Run the overdue scan now (the server's own timer is off in tests), as another
        process on the same database would."""

        async def scan() -> int:
            async with open_runtime(self.settings) as runtime:
                return await scan_overdue(runtime)

        return in_another_thread(asyncio.run, scan())


@dataclass
class Person:
    """An account on the server, with an access token for arranging data over the API."""

    server: LiveServer
    email: str
    token: str
    id: str

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.server.http.request(
            method,
            path,
            headers={"Authorization": f"Bearer {self.token}"},
            **kwargs,
        )
        assert response.is_success, response.text
        return response.json() if response.content else None

    def add_task(self, title: str, **fields: Any) -> dict[str, Any]:
        task: dict[str, Any] = self.call("POST", "/tasks", json={"title": title, **fields})
        return task

    def tasks(self, **query: Any) -> list[dict[str, Any]]:
        page: dict[str, Any] = self.call("GET", "/tasks", params={"limit": 100, **query})
        return list(page["data"])

    def stats(self) -> dict[str, Any]:
        stats: dict[str, Any] = self.call("GET", "/tasks/stats")
        return stats


def _serve(settings_overrides: dict[str, Any], workdir: Path) -> Iterator[LiveServer]:
    database = f"sqlite:///{workdir / 'taskflow.db'}"
    migrate.upgrade(database)
    settings = make_settings(database, data_dir=workdir, log_level="WARNING", **settings_overrides)
    app = create_app(settings)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive(), "the server thread died"
        assert time.monotonic() < deadline, "the server did not start in 20 s"
        time.sleep(0.01)
    url = f"http://127.0.0.1:{port}"
    with httpx.Client(base_url=url) as http:
        running = LiveServer(url=url, settings=settings, process=server, thread=thread, http=http)
        try:
            yield running
        finally:
            running.stop()
            listener.close()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server for the whole run; every test registers its own account."""
    yield from _serve({}, tmp_path_factory.mktemp("tui-server"))


@pytest.fixture(scope="session")
def short_token_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server whose access tokens are already stale when issued: every request the
    client makes goes through a silent refresh first."""
    yield from _serve({"access_token_ttl": 1}, tmp_path_factory.mktemp("tui-short-server"))


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[LiveServer]:
    """A server for one test alone (to stop it, say)."""
    yield from _serve({}, tmp_path / "server")


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A home of its own: config dir, a plain-file keyring, UTC, no inherited server."""
    import keyring.core
    from keyrings.alt.file import PlaintextKeyring

    for variable in ("TASKFLOW_SERVER", "TASKFLOW_TUI_REFRESH", "NO_COLOR"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", PLAINTEXT_KEYRING)
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    monkeypatch.setattr(keyring.core, "_keyring_backend", PlaintextKeyring())
    yield tmp_path
    monkeypatch.undo()
    time.tzset()


def log_in_as(person: Person) -> None:
    """Store a session for `person` the way `taskflow login` does (the OS keyring)."""
    from taskflow_cli.client import ApiClient
    from taskflow_cli.stores import os_keyring

    with ApiClient(person.server.url) as client:
        client.login(person.email, PASSWORD, store=os_keyring())


def make_app(server: LiveServer, **options: Any) -> TaskflowApp:
    """The dashboard for `server`, without periodic refresh unless asked for."""
    return TaskflowApp(server.url, options=TuiOptions(**({"refresh_seconds": 0} | options)))


def toasts(app: App[Any]) -> list[str]:
    """The messages of the notifications (toasts) the app is showing."""
    # Textual has no public accessor for them.
    return [notification.message for notification in app._notifications]


async def settle(pilot: Pilot[Any]) -> None:
    """Let every worker finish, and the workers their results started, and every message
    they caused be handled."""
    from textual.worker import WorkerCancelled, WorkerFailed

    for _ in range(20):
        # Failures are the screens' to report; a cancelled worker was replaced by a newer one,
        # which the next turn waits for.
        with contextlib.suppress(WorkerFailed, WorkerCancelled):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if not any(worker.is_running for worker in pilot.app.workers):
            return
    raise AssertionError("workers kept starting workers")
