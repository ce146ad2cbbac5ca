"""Where a login's tokens live (the refresh token's stores are in `stores`).

- The refresh token (a week; whoever holds it can log in) stays in the OS keyring, under the
  service `taskflow` and the server's URL; with `--insecure-storage`, in `credentials.json`
  in the config dir, mode 0600.
- The access token (15 minutes) and its expiry are kept in a 0600 file in the runtime dir
  (`paths.runtime_dir`), where reading it costs a command nothing: a command touches the
  keyring only to refresh, about once every 15 minutes.
- `sessions.json` in the config dir says, per server, who logged in and which store holds
  the refresh token: the keyring backend that worked at login (its class, imported directly
  afterwards; finding one by probing every installed backend is slow), or the file.
"""

from __future__ import annotations

import json
import os
import time

from taskflow_cli.paths import config_dir, private_dir, runtime_dir
from taskflow_cli.urls import quote

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Protocol

    class RefreshTokens(Protocol):
        """Keeps one refresh token per server."""

        @property
        def storage(self) -> str: ...

        @property
        def description(self) -> str: ...

        def load(self, server: str) -> str | None: ...

        def save(self, server: str, token: str) -> None: ...

        def clear(self, server: str) -> None: ...


SESSIONS_FILE = "sessions.json"
LOCK_FILE = "session.lock"
# Refresh a little before the server would refuse the token: covers clock skew and the
# time the request spends in flight.
EXPIRY_MARGIN = 10.0
LOCK_TIMEOUT = 30.0
KEYRING = "keyring"
FILE = "file"


class Session:
    """What a request needs: the access token, its expiry, and who it belongs to."""

    __slots__ = ("access_token", "email", "expires_at", "role", "server")

    def __init__(
        self, server: str, *, email: str, role: str, access_token: str, expires_at: float
    ) -> None:
        self.server = server
        self.email = email
        self.role = role
        self.access_token = access_token
        # Seconds since the epoch.
        self.expires_at = expires_at

    @classmethod
    def from_token_response(cls, server: str, body: dict[str, Any]) -> Session:
        """From a `TokenResponse`, its expiry counted from now."""
        return cls(
            server,
            email=body["user"]["email"],
            role=body["user"]["role"],
            access_token=body["accessToken"],
            expires_at=time.time() + int(body["expiresIn"]),
        )

    def usable(self) -> bool:
        return time.time() < self.expires_at - EXPIRY_MARGIN


class Login:
    """Who logged in to a server, and where the refresh token is kept."""

    __slots__ = ("backend", "email", "role", "storage")

    def __init__(self, *, email: str, role: str, storage: str, backend: str | None) -> None:
        self.email = email
        self.role = role
        self.storage = storage
        # The keyring backend's class, `module.Class`, when storage is the keyring.
        self.backend = backend


# --- the access token, in the runtime dir ---------------------------------------------------


def read_session(server: str) -> Session | None:
    """The access token kept for `server`; None if there is none (or it is unreadable)."""
    try:
        with open(_access_path(server), "rb") as handle:
            data = json.loads(handle.read())
        return Session(
            server,
            email=data["email"],
            role=data["role"],
            access_token=data["access_token"],
            expires_at=float(data["expires_at"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_session(session: Session) -> None:
    document = {
        "email": session.email,
        "role": session.role,
        "access_token": session.access_token,
        "expires_at": session.expires_at,
    }
    write_private(_access_path(session.server), document)


def drop_session(server: str) -> None:
    remove_file(_access_path(server))


def _access_path(server: str) -> str:
    return os.path.join(runtime_dir(), f"access-{quote(server)}.json")


# --- the login record, in the config dir ----------------------------------------------------


def read_login(server: str) -> Login | None:
    entry: Any = read_documents(_sessions_path()).get(server)
    try:
        return Login(
            email=entry["email"],
            role=entry["role"],
            storage=entry["storage"],
            backend=entry.get("backend"),
        )
    except (KeyError, TypeError, AttributeError):
        return None


def write_login(server: str, login: Login) -> None:
    path = _sessions_path()
    documents = read_documents(path)
    documents[server] = {
        "email": login.email,
        "role": login.role,
        "storage": login.storage,
        "backend": login.backend,
    }
    write_private(path, documents)


def drop_login(server: str) -> None:
    path = _sessions_path()
    documents = read_documents(path)
    if documents.pop(server, None) is not None:
        write_private(path, documents)


def _sessions_path() -> str:
    return os.path.join(config_dir(), SESSIONS_FILE)


class session_lock:  # noqa: N801 - used like the function it replaces: `with session_lock():`
    """Serialize token changes across processes (CLI, TUI, several shells).

    A refresh token works once and presenting it again revokes the whole login, so two
    processes must never refresh with the same token: whoever gets the lock second reads
    the access token the first one stored.
    """

    def __enter__(self) -> None:
        from filelock import FileLock, Timeout

        path = os.path.join(private_dir(config_dir()), LOCK_FILE)
        self._lock = FileLock(path, timeout=LOCK_TIMEOUT)
        try:
            self._lock.acquire()
        except Timeout as error:
            from taskflow_cli.errors import TokenStoreError

            raise TokenStoreError(
                f"another taskflow process has held {path} for {LOCK_TIMEOUT:.0f} s"
            ) from error

    def __exit__(self, *exc_info: object) -> None:
        self._lock.release()


def read_documents(path: str, *, strict: bool = False) -> dict[str, Any]:
    """A JSON object file; empty when missing (or, unless `strict`, unreadable)."""
    try:
        with open(path, "rb") as handle:
            documents = json.loads(handle.read())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        if strict:
            raise
        return {}
    return documents if isinstance(documents, dict) else {}


def write_private(path: str, document: dict[str, Any]) -> None:
    """Replace `path` with `document`: created 0600 before the first byte, swapped in whole."""
    folder, name = os.path.split(path)
    private_dir(folder)
    draft = os.path.join(folder, f".{name}.{os.getpid()}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(document, handle, indent=2)
    os.replace(draft, path)


def remove_file(path: str) -> None:
    try:  # noqa: SIM105 - contextlib.suppress would load contextlib on every command
        os.remove(path)
    except FileNotFoundError:
        pass
