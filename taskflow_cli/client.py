"""The one HTTP client of the TaskFlow API, shared by the CLI and the TUI.

It attaches the stored access token, refreshes it once when it has expired (or the server
answers 401), stores the rotated pair, and retries the request once. Responses are plain
JSON values (dicts and lists): parsing them into pydantic models would cost more start-up
time than a command spends talking to the server.
"""

from __future__ import annotations

import sys
import time
import types
import urllib.request
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from taskflow_cli.errors import NotLoggedIn, ServerUnreachable, SessionExpired
from taskflow_cli.problems import error_from_response
from taskflow_cli.tokens import Credentials, session_lock, stored_session
from taskflow_core.domain.clock import utcnow
from taskflow_core.domain.errors import NotFound

# httpx imports its own command-line tool (click, pygments, rich.syntax) when it is
# imported; an empty stand-in makes that import fail quietly, as httpx allows, and saves
# ~30 ms on every command.
sys.modules.setdefault("httpx._main", types.ModuleType("httpx._main"))
import httpx  # noqa: E402

from taskflow_cli.transport import StdlibTransport  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Iterator

    from taskflow_cli.tokens import TokenStore

Json = dict[str, Any]
Params = Mapping[str, Any]

# Retrying these after a dropped connection cannot apply a change twice.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
_RETRIABLE = (httpx.NetworkError, httpx.ConnectTimeout, httpx.RemoteProtocolError)
PAGE_SIZE_MAX = 100


class ApiClient:
    """The TaskFlow REST API as the logged-in user of `server`."""

    def __init__(
        self,
        server: str,
        *,
        timeout: float = 15.0,
        retries: int = 2,
        backoff: float = 0.25,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.server = server
        self._retries = retries
        self._backoff = backoff
        if transport is None and not _proxy_configured():
            transport = StdlibTransport()
        self._http = httpx.Client(
            base_url=server,
            # Loading the CA bundle costs ~25 ms; a plain-http server never needs it.
            verify=server.startswith("https://"),
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            headers={"Accept": "application/json", "User-Agent": "taskflow-cli"},
            transport=transport,
        )
        self._session: tuple[Credentials, TokenStore] | None = None

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # --- session ------------------------------------------------------------------------

    def session(self) -> tuple[Credentials, TokenStore]:
        """The stored login for this server; NotLoggedIn when there is none."""
        if self._session is None:
            self._session = stored_session(self.server)
        if self._session is None:
            # Another process may be halfway through rewriting the store (a keyring file is
            # not replaced atomically); look again once it has finished.
            with session_lock():
                self._session = stored_session(self.server)
        if self._session is None:
            raise NotLoggedIn(f"Not logged in to {self.server}; run `taskflow login`")
        return self._session

    def login(self, email: str, password: str, *, store: TokenStore) -> Credentials:
        """Log in and keep the new tokens in `store` (replacing any earlier login)."""
        body = self.call(
            "POST", "/auth/login", json={"email": email, "password": password}, auth=False
        )
        credentials = Credentials.from_token_response(self.server, body, utcnow())
        with session_lock():
            previous = _quietly(lambda: stored_session(self.server))
            store.save(credentials)
            if previous is not None and previous[0].refresh_token != credentials.refresh_token:
                self._revoke(previous[0])
                if type(previous[1]) is not type(store):
                    previous[1].clear(self.server)
        self._session = (credentials, store)
        return credentials

    def logout(self) -> bool:
        """Revoke the login on the server and forget it here; False if the server was
        unreachable (the tokens are forgotten all the same)."""
        credentials, store = self.session()
        with session_lock():
            current = store.load(self.server) or credentials
            store.clear(self.server)
        self._session = None
        return self._revoke(current)

    def access_token(self) -> str:
        """A valid access token, refreshed first if it has expired."""
        credentials, _ = self.session()
        if not credentials.access_token_usable(utcnow()):
            credentials = self._refresh(credentials)
        return credentials.access_token

    # --- transport ----------------------------------------------------------------------

    def call(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        auth: bool = True,
    ) -> Any:
        """Send a request and return its JSON body (None for 204)."""
        response = self.request(method, path, params=params, json=json, headers=headers, auth=auth)
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError as error:
            raise ServerUnreachable(
                f"{self.server} answered {path} with something other than JSON; "
                "is it a TaskFlow server?"
            ) from error

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        auth: bool = True,
    ) -> httpx.Response:
        """Send a request as the logged-in user; raise the domain error of a 4xx/5xx."""
        request = {"params": params, "json": json, "headers": dict(headers or {})}
        if not auth:
            return self._checked(self._send(method, path, **request))
        credentials, _ = self.session()
        if not credentials.access_token_usable(utcnow()):
            credentials = self._refresh(credentials)
        response = self._send(method, path, token=credentials.access_token, **request)
        if response.status_code == 401:
            credentials = self._refresh(credentials)
            response = self._send(method, path, token=credentials.access_token, **request)
        return self._checked(response)

    def _send(
        self, method: str, path: str, *, token: str | None = None, **request: Any
    ) -> httpx.Response:
        if token:
            request["headers"]["Authorization"] = f"Bearer {token}"
        attempts = 1 + (self._retries if method in IDEMPOTENT_METHODS else 0)
        for attempt in range(attempts):
            try:
                return self._http.request(method, path, **request)
            except _RETRIABLE as error:
                if attempt + 1 == attempts:
                    raise self._unreachable(error) from error
                time.sleep(self._backoff * 2**attempt)
            except httpx.HTTPError as error:
                raise self._unreachable(error) from error
        raise AssertionError("unreachable")  # pragma: no cover

    def _checked(self, response: httpx.Response) -> httpx.Response:
        if response.is_success:
            return response
        raise error_from_response(response)

    def _unreachable(self, error: httpx.HTTPError) -> ServerUnreachable:
        if isinstance(error, httpx.TimeoutException):
            reason = "it did not answer in time"
        else:
            reason = str(error).split("] ", 1)[-1] or type(error).__name__
        return ServerUnreachable(
            f"Cannot reach the TaskFlow server at {self.server} ({reason}); is it running? "
            "(start one with `taskflow server`, or pick another with --server)"
        )

    def _refresh(self, stale: Credentials) -> Credentials:
        """Trade the refresh token for a new pair, at most one process at a time."""
        _, store = self.session()
        with session_lock():
            current = store.load(self.server)
            if current is None:
                self._session = None
                raise NotLoggedIn(f"Logged out of {self.server}; run `taskflow login`")
            if current.refresh_token != stale.refresh_token and current.access_token_usable(
                utcnow()
            ):
                # Another process refreshed while this one waited for the lock.
                self._session = (current, store)
                return current
            response = self._send(
                "POST",
                "/auth/refresh",
                json={"refreshToken": current.refresh_token},
                headers={},
            )
            if response.status_code == 401:
                # Revoked, expired or reused: this login is over; forget it.
                store.clear(self.server)
                self._session = None
                raise SessionExpired(
                    f"Your session on {self.server} has expired or was revoked; "
                    "run `taskflow login` to log in again"
                )
            fresh = Credentials.from_token_response(
                self.server, self._checked(response).json(), utcnow()
            )
            store.save(fresh)
        self._session = (fresh, store)
        return fresh

    def _revoke(self, credentials: Credentials) -> bool:
        try:
            self._send(
                "POST", "/auth/logout", json={"refreshToken": credentials.refresh_token}, headers={}
            )
        except ServerUnreachable:
            return False
        return True

    # --- resources ----------------------------------------------------------------------

    def me(self) -> Json:
        """The logged-in user."""
        result: Json = self.call("GET", "/auth/me")
        return result

    def page(self, path: str, query: Params) -> Json:
        """One page `{data, meta}` of a list route."""
        result: Json = self.call("GET", path, params=_query(query))
        return result

    def pages(self, path: str, query: Params) -> Iterator[Json]:
        """Every page of a list route: the first by offset (it has the total), then by cursor."""
        query = {**query, "page": None, "cursor": None, "limit": PAGE_SIZE_MAX}
        page = self.page(path, query)
        yield page
        while cursor := page["meta"].get("nextCursor"):
            page = self.page(path, {**query, "cursor": cursor})
            yield page

    def task_by_number(self, number: int) -> Json:
        """The caller's task with this `number`; NotFound if there is none."""
        found = self.page("/tasks", {"number": number, "limit": 1})["data"]
        if not found:
            raise NotFound(f"Task #{number} not found")
        task: Json = found[0]
        return task

    def tasks_by_number(self, numbers: list[int]) -> list[Json]:
        """The tasks with these numbers, in the order given; NotFound names a missing one.

        A few numbers cost one request each; many cost one page of 100 per 100 numbers up
        to the largest asked for.
        """
        wanted = list(dict.fromkeys(numbers))
        if len(wanted) <= 10:
            return [self.task_by_number(number) for number in wanted]
        found: dict[int, Json] = {}
        for page in self.pages("/tasks", {"sort": "number", "order": "asc"}):
            found.update((task["number"], task) for task in page["data"])
            if not page["data"] or page["data"][-1]["number"] >= max(wanted):
                break
        missing = [number for number in wanted if number not in found]
        if missing:
            raise NotFound(f"Task #{missing[0]} not found")
        return [found[number] for number in wanted]

    def create_task(self, fields: Json) -> Json:
        result: Json = self.call("POST", "/tasks", json=fields)
        return result

    def update_task(self, task_id: str, changes: Json, *, version: int | None = None) -> Json:
        """PATCH a task; with `version`, PreconditionFailed if it changed since."""
        headers = {"If-Match": f'"{version}"'} if version is not None else None
        result: Json = self.call("PATCH", f"/tasks/{task_id}", json=changes, headers=headers)
        return result

    def task(self, task_id: str) -> Json:
        result: Json = self.call("GET", f"/tasks/{task_id}")
        return result

    def batch(self, action: str, task_ids: list[str], changes: Json | None = None) -> Json:
        """Run a batch action (`complete`, `delete`, `update`) on tasks, all or nothing each."""
        body: Json = {"action": action, "tasks": task_ids}
        if changes is not None:
            body["changes"] = changes
        result: Json = self.call("POST", "/tasks/batch", json=body)
        return result

    def task_stats(self) -> Json:
        result: Json = self.call("GET", "/tasks/stats")
        return result

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
        raise NotFound(f"No user with email {email}")

    def mark_notification_read(self, notification_id: str) -> None:
        self.call("POST", f"/notifications/{notification_id}/read")


def open_client(server: str | None = None) -> ApiClient:
    """A client for the server this command targets (see `config.resolve_server`)."""
    from taskflow_cli.config import resolve_server

    return ApiClient(resolve_server(server))


def _proxy_configured() -> bool:
    """Whether HTTP_PROXY, HTTPS_PROXY or ALL_PROXY is set: then httpx routes by itself."""
    proxies = urllib.request.getproxies_environment()
    return any(proxies.get(scheme) for scheme in ("http", "https", "all"))


def _query(query: Params) -> dict[str, Any]:
    """Drop unset parameters; repeat list values (`status=A&status=B`)."""
    return {key: value for key, value in query.items() if value not in (None, [], ())}


def _quietly(action: Any) -> Any:
    try:
        return action()
    except Exception:  # a broken old store must not stop a new login
        return None
