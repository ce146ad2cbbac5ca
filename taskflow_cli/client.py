"""The one client of the TaskFlow API, shared by the CLI and the TUI.

It attaches the access token, refreshes it once when it has expired (or the server answers
401), keeps the rotated pair (`tokens`), and sends the request again. Answers are plain JSON
values (dicts and lists): parsing them into pydantic models would cost more start-up time
than a command spends talking to the server. The domain errors of failed requests come from
`problems`, imported only when a request fails.
"""

from __future__ import annotations

from taskflow_cli import stores, tokens
from taskflow_cli.http import HttpClient, TransportError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping
    from typing import Any

    from taskflow_cli.http import Response
    from taskflow_cli.tokens import RefreshTokens, Session

    Json = dict[str, Any]
    Params = dict[str, Any]

PAGE_SIZE_MAX = 100
# `GET /tasks?number=…` takes at most this many numbers at once.
NUMBERS_MAX = 100
# `POST /tasks/bulk` and `POST /tasks/batch` take at most this many tasks.
BULK_MAX = 1000


class ApiClient:
    """The TaskFlow REST API as the logged-in user of `server` (a normalized URL)."""

    def __init__(self, server: str, *, timeout: float = 15.0, http: HttpClient | None = None):
        """`http`: what sends the requests (by default an `HttpClient` of `server`)."""
        self.server = server
        try:
            self._http = http or HttpClient(server, timeout=timeout)
        except ValueError as error:  # an unusable proxy setting, say
            from taskflow_cli.errors import BadUsage

            raise BadUsage(str(error)) from None
        self._session: Session | None = None

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # --- the session --------------------------------------------------------------------

    def account(self) -> tuple[str, str]:
        """Who is logged in here (email, role), without a request; NotLoggedIn if no one."""
        session = self._session or tokens.read_session(self.server)
        if session is not None:
            return session.email, session.role
        login = tokens.read_login(self.server)
        if login is None:
            raise self._not_logged_in()
        return login.email, login.role

    def login(self, email: str, password: str, *, store: RefreshTokens) -> Session:
        """Log in and keep the new tokens (replacing any earlier login to this server)."""
        body = self.call(
            "POST", "/auth/login", body={"email": email, "password": password}, auth=False
        )
        session = tokens.Session.from_token_response(self.server, body)
        backend = getattr(store, "backend_path", None)
        login = tokens.Login(
            email=session.email, role=session.role, storage=store.storage, backend=backend
        )
        with tokens.session_lock():
            previous = _previous_refresh_token(self.server)
            store.save(self.server, body["refreshToken"])
            tokens.write_login(self.server, login)
            tokens.write_session(session)
        if previous is not None:
            old_store, old_token = previous
            if old_token != body["refreshToken"]:
                self._revoke(old_token)
            if old_store.storage != store.storage:
                old_store.clear(self.server)
        self._session = session
        return session

    def logout(self) -> bool:
        """Revoke the login on the server and forget it here; False if the server was
        unreachable (the tokens are forgotten all the same). NotLoggedIn if there was none."""
        with tokens.session_lock():
            login = tokens.read_login(self.server)
            had_session = tokens.read_session(self.server) is not None
            refresh_token = None
            if login is not None:
                store = stores.store_for(login)
                refresh_token = store.load(self.server)
                store.clear(self.server)
                tokens.drop_login(self.server)
            tokens.drop_session(self.server)
        self._session = None
        if login is None and not had_session:
            raise self._not_logged_in()
        return refresh_token is None or self._revoke(refresh_token)

    def storage(self) -> RefreshTokens:
        """Where this login's refresh token is kept; NotLoggedIn if there is no login."""
        login = tokens.read_login(self.server)
        if login is None:
            raise self._not_logged_in()
        return stores.store_for(login)

    def current_session(self) -> Session:
        """The access token requests use, refreshed first if it has expired."""
        session = self._session or tokens.read_session(self.server)
        if session is None or not session.usable():
            session = self._refresh(session)
        self._session = session
        return session

    # --- requests -----------------------------------------------------------------------

    def call(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, Any] | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        auth: bool = True,
    ) -> Any:
        """Send a request and return its JSON answer (None for 204); the domain error of a
        4xx/5xx otherwise."""
        response = self.request(method, path, query=query, body=body, headers=headers, auth=auth)
        if response.status == 204 or not response.body:
            return None
        try:
            return response.json()
        except ValueError:
            from taskflow_cli.errors import ServerUnreachable

            raise ServerUnreachable(
                f"{self.server} answered {path} with something other than JSON; "
                "is it a TaskFlow server?"
            ) from None

    def request(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, Any] | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        auth: bool = True,
    ) -> Response:
        """Send a request as the logged-in user (unless `auth` is False); raise the domain
        error of a 4xx/5xx answer."""
        if not auth:
            return _checked(self._send(method, path, query, body, dict(headers or {})))
        session = self.current_session()
        sent = dict(headers or {}) | {"Authorization": f"Bearer {session.access_token}"}
        response = self._send(method, path, query, body, sent)
        if response.status == 401:
            session = self._session = self._refresh(session)
            sent["Authorization"] = f"Bearer {session.access_token}"
            response = self._send(method, path, query, body, sent)
        return _checked(response)

    def _send(
        self,
        method: str,
        path: str,
        query: Mapping[str, Any] | None,
        body: Any,
        headers: dict[str, str],
    ) -> Response:
        try:
            return self._http.request(method, path, query=query, body=body, headers=headers)
        except TransportError as error:
            from taskflow_cli.errors import ServerUnreachable

            raise ServerUnreachable(
                f"Cannot reach the TaskFlow server at {self.server} ({error.reason}); is it "
                "running? (start one with `taskflow server`, or pick another with --server)"
            ) from error

    def _refresh(self, stale: Session | None) -> Session:
        """Trade the refresh token for a new pair, one process at a time."""
        with tokens.session_lock():
            current = tokens.read_session(self.server)
            if (
                current is not None
                and current.usable()
                and (stale is None or current.access_token != stale.access_token)
            ):
                # Another process refreshed while this one waited for the lock.
                return current
            login = tokens.read_login(self.server)
            store = stores.store_for(login) if login is not None else None
            refresh_token = store.load(self.server) if store is not None else None
            if store is None or refresh_token is None:
                tokens.drop_session(self.server)
                raise self._not_logged_in()
            response = self._send(
                "POST", "/auth/refresh", None, {"refreshToken": refresh_token}, {}
            )
            if response.status == 401:
                # Revoked, expired or reused: this login is over; forget it.
                store.clear(self.server)
                tokens.drop_login(self.server)
                tokens.drop_session(self.server)
                from taskflow_cli.errors import SessionExpired

                raise SessionExpired(
                    f"Your session on {self.server} has expired or was revoked; "
                    "run `taskflow login` to log in again"
                )
            body = _checked(response).json()
            store.save(self.server, body["refreshToken"])
            fresh = tokens.Session.from_token_response(self.server, body)
            tokens.write_session(fresh)
            if login is not None and (login.email, login.role) != (fresh.email, fresh.role):
                login.email, login.role = fresh.email, fresh.role
                tokens.write_login(self.server, login)
        return fresh

    def _revoke(self, refresh_token: str) -> bool:
        from taskflow_cli.errors import ServerUnreachable

        try:
            self._send("POST", "/auth/logout", None, {"refreshToken": refresh_token}, {})
        except ServerUnreachable:
            return False
        return True

    def _not_logged_in(self) -> Exception:
        from taskflow_cli.errors import NotLoggedIn

        return NotLoggedIn(f"Not logged in to {self.server}; run `taskflow login`")

    # --- resources ----------------------------------------------------------------------

    def me(self) -> Json:
        """The logged-in user."""
        result: Json = self.call("GET", "/auth/me")
        return result

    def page(self, path: str, query: Params) -> Json:
        """One page `{data, meta}` of a list route."""
        result: Json = self.call("GET", path, query=query)
        return result

    def pages(self, path: str, query: Params) -> Iterator[Json]:
        """Every page of a list route: the first by offset (it has the total), then by cursor."""
        query = {**query, "page": None, "cursor": None, "limit": PAGE_SIZE_MAX}
        page = self.page(path, query)
        yield page
        while cursor := page["meta"].get("nextCursor"):
            page = self.page(path, {**query, "cursor": cursor})
            yield page

    def tasks_by_number(self, numbers: list[int]) -> list[Json]:
        """The caller's tasks with these numbers, in the order given: one request per 100
        numbers. NotFound names the numbers that are not there."""
        wanted = list(dict.fromkeys(numbers))
        found: dict[int, Json] = {}
        for start in range(0, len(wanted), NUMBERS_MAX):
            chunk = wanted[start : start + NUMBERS_MAX]
            query = {"number": ",".join(map(str, chunk)), "limit": len(chunk)}
            found.update((task["number"], task) for task in self.page("/tasks", query)["data"])
        missing = [number for number in wanted if number not in found]
        if missing:
            from taskflow_core.domain.errors import NotFound

            names = ", ".join(f"#{number}" for number in missing)
            noun = "Task" if len(missing) == 1 else "Tasks"
            raise NotFound(f"{noun} {names} not found")
        return [found[number] for number in wanted]

    def task_by_number(self, number: int) -> Json:
        """The caller's task with this `number`; NotFound if there is none."""
        return self.tasks_by_number([number])[0]

    def create_task(self, fields: Json) -> Json:
        result: Json = self.call("POST", "/tasks", body=fields)
        return result

    def create_tasks(self, tasks: list[Json]) -> list[Json]:
        """Create up to 1,000 tasks in one request, all or none."""
        result: Json = self.call("POST", "/tasks/bulk", body={"tasks": tasks})
        created: list[Json] = result["data"]
        return created

    def update_task(self, task_id: str, changes: Json, *, version: int | None = None) -> Json:
        """PATCH a task; with `version`, PreconditionFailed if it changed since."""
        headers = {"If-Match": f'"{version}"'} if version is not None else None
        result: Json = self.call("PATCH", f"/tasks/{task_id}", body=changes, headers=headers)
        return result

    def task(self, task_id: str) -> Json:
        result: Json = self.call("GET", f"/tasks/{task_id}")
        return result

    def delete_task(self, task_id: str) -> None:
        self.call("DELETE", f"/tasks/{task_id}")

    def batch(self, action: str, task_ids: list[str], changes: Json | None = None) -> Json:
        """Run a batch action (`complete`, `delete`, `update`) on tasks, all or nothing."""
        body: Json = {"action": action, "tasks": task_ids}
        if changes is not None:
            body["changes"] = changes
        result: Json = self.call("POST", "/tasks/batch", body=body)
        return result

    def task_stats(self) -> Json:
        result: Json = self.call("GET", "/tasks/stats")
        return result

    def projects(self, *, include_archived: bool = False) -> list[Json]:
        """The caller's projects, in their manual order, with their task counts."""
        query = {"includeArchived": "true"} if include_archived else None
        result: Json = self.call("GET", "/projects", query=query)
        projects: list[Json] = result["data"]
        return projects

    def labels(self) -> list[Json]:
        """The caller's labels, by name, with their task counts."""
        result: Json = self.call("GET", "/labels")
        labels: list[Json] = result["data"]
        return labels

    def label_by_name(self, name: str) -> Json:
        """The caller's label called `name`, in any case; NotFound if there is none."""
        key = name.strip().casefold()
        for label in self.labels():
            if label["name"].casefold() == key:
                return label
        from taskflow_core.domain.errors import NotFound

        raise NotFound(f"No label {name!r} (`taskflow labels list` shows yours)")

    def user_by_email_or_id(self, key: str) -> Json:
        """An account by id, or by exact email (admins search; anyone may read themselves)."""
        if "@" not in key:
            result: Json = self.call("GET", f"/users/{key}")
            return result
        email = key.strip().lower()
        for user in self.page("/users", {"search": email, "limit": PAGE_SIZE_MAX})["data"]:
            if user["email"] == email:
                found: Json = user
                return found
        from taskflow_core.domain.errors import NotFound

        raise NotFound(f"No user with email {email}")

    def update_user(self, user_id: str, changes: Json) -> Json:
        result: Json = self.call("PATCH", f"/users/{user_id}", body=changes)
        return result

    def mark_read(self, ids: list[str] | None = None) -> int:
        """Mark these notifications read (None: every unread one) in one request; returns
        how many were unread."""
        body: Json = {"all": True} if ids is None else {"ids": ids}
        result: Json = self.call("POST", "/notifications/read", body=body)
        return int(result["marked"])


def _checked(response: Response) -> Response:
    if response.ok:
        return response
    from taskflow_cli.problems import error_from_response

    raise error_from_response(response)


def _previous_refresh_token(server: str) -> tuple[RefreshTokens, str] | None:
    """The store and refresh token of an earlier login to `server`, if one is readable."""
    login = tokens.read_login(server)
    if login is None:
        return None
    store = stores.store_for(login)
    try:
        token = store.load(server)
    except Exception:  # a broken old store must not stop a new login
        return None
    return None if token is None else (store, token)
