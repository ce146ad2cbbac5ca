"""What the dashboard asks of the server, in typed values, over the CLI's `ApiClient`.

Every method blocks on the network: call them from Textual thread workers only. The client
refreshes an expired access token by itself; a session the server no longer accepts surfaces
as `AuthenticationFailed` (`NotLoggedIn`, `SessionExpired`).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from taskflow_cli.tui.catalog import Catalog
from taskflow_cli.tui.models import Account, Notification, Project, Stats, Task, TaskPage

if TYPE_CHECKING:
    from collections.abc import Callable

    from taskflow_cli.client import ApiClient
    from taskflow_cli.tokens import RefreshTokens
    from taskflow_cli.tui.query import TaskFilters

    ClientFactory = Callable[[str], ApiClient]

Json = dict[str, Any]
NOTIFICATIONS_SHOWN = 50


def _open_client(server: str) -> ApiClient:
    from taskflow_cli.client import ApiClient

    # A dashboard would rather show a toast soon than wait long on a stuck server.
    return ApiClient(server, timeout=10.0)


class TaskflowApi:
    """The TaskFlow API as the dashboard uses it, for one server at a time."""

    def __init__(self, server: str, *, client_factory: ClientFactory | None = None) -> None:
        self._server = server
        self._factory = client_factory or _open_client
        self._client: ApiClient | None = None
        self._lock = threading.Lock()
        # Who was last logged in here, to fill in the login screen after a session ends.
        self.last_email = ""

    @property
    def server(self) -> str:
        return self._server

    @property
    def client(self) -> ApiClient:
        # Built on first use, in a worker.
        with self._lock:
            if self._client is None:
                self._client = self._factory(self._server)
            return self._client

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None

    # --- session ------------------------------------------------------------------------

    def account(self) -> Account:
        """The stored login for this server (no request); NotLoggedIn when there is none."""
        email, role = self.client.account()
        self.last_email = email
        return Account(server=self._server, email=email, role=role)

    def login(self, server: str, email: str, password: str, *, insecure: bool) -> Account:
        """Log in to `server` (normalized; it becomes this object's server) and keep the tokens."""
        from taskflow_cli.config import normalize_server, read_config, write_config

        url = normalize_server(server)
        if url != self._server:
            self.close()
            self._server = url
        store = _token_store(insecure=insecure)
        session = self.client.login(email.strip(), password, store=store)
        if read_config().get("server") != url:
            write_config(server=url)
        self.last_email = session.email
        return Account(server=url, email=session.email, role=session.role)

    # --- reads --------------------------------------------------------------------------

    def task_page(self, filters: TaskFilters, page: int) -> TaskPage:
        """One page of the filtered tasks; the last page instead when `page` is past it."""
        result = TaskPage.from_json(self.client.page("/tasks", filters.params(page=page)))
        if not result.tasks and result.page > result.pages:
            last = filters.params(page=result.pages)
            result = TaskPage.from_json(self.client.page("/tasks", last))
        return result

    def stats(self) -> Stats:
        """Counts by status, overdue, and unread notifications."""
        counts = self.client.task_stats()
        unread = self.client.page("/notifications", {"unread": "true", "limit": 1})
        return Stats.from_json(counts, unread=int(unread["meta"].get("total") or 0))

    def catalog(self) -> Catalog:
        """Every project (archived ones too: their tasks keep their names) and label name."""
        projects = self.client.call("GET", "/projects", query={"includeArchived": "true"})
        labels = self.client.call("GET", "/labels")
        return Catalog(
            projects=tuple(Project.from_json(item) for item in projects["data"]),
            labels=tuple(item["name"] for item in labels["data"]),
        )

    def task(self, task_id: str) -> Task:
        return Task.from_json(self.client.task(task_id))

    def unread_notifications(self) -> list[Notification]:
        body = self.client.page("/notifications", {"unread": "true", "limit": NOTIFICATIONS_SHOWN})
        return [Notification.from_json(item) for item in body["data"]]

    # --- writes -------------------------------------------------------------------------

    def create_task(self, fields: Json) -> Task:
        return Task.from_json(self.client.create_task(fields))

    def update_task(self, task: Task, changes: Json, *, version: int | None = None) -> Task:
        """PATCH `changes`; PreconditionFailed if the task changed since `version`."""
        updated = self.client.update_task(task.id, changes, version=version)
        return Task.from_json(updated)

    def set_status(self, task: Task, status: str) -> Task:
        """Move a task to `status`, unless someone changed it since it was read."""
        return self.update_task(task, {"status": status}, version=task.version)

    def delete_task(self, task: Task) -> None:
        self.client.delete_task(task.id)

    def mark_read(self, notifications: list[Notification]) -> int:
        """Mark these notifications read, in one request; returns how many were unread."""
        return self.client.mark_read([item.id for item in notifications])

    def mark_all_read(self) -> int:
        """Mark every unread notification read (not only those shown), in one request."""
        return self.client.mark_read(None)


def _token_store(*, insecure: bool) -> RefreshTokens:
    from taskflow_cli.errors import KeyringUnavailable
    from taskflow_cli.stores import FileStore, os_keyring

    if insecure:
        return FileStore()
    try:
        return os_keyring()
    except KeyringUnavailable as error:
        raise KeyringUnavailable(
            f"No OS keyring to keep your tokens in: {error.detail}. "
            "“Log in, tokens in a file” keeps them in a file only you can read."
        ) from error
