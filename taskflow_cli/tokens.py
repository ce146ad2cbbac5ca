"""Where a login's tokens live.

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


SERVICE = "taskflow"
CREDENTIALS_FILE = "credentials.json"
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
    _write_private(_access_path(session.server), document)


def drop_session(server: str) -> None:
    _remove(_access_path(server))


def _access_path(server: str) -> str:
    return os.path.join(runtime_dir(), f"access-{quote(server)}.json")


# --- the login record, in the config dir ----------------------------------------------------


def read_login(server: str) -> Login | None:
    entry: Any = _read_documents(_sessions_path()).get(server)
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
    documents = _read_documents(path)
    documents[server] = {
        "email": login.email,
        "role": login.role,
        "storage": login.storage,
        "backend": login.backend,
    }
    _write_private(path, documents)


def drop_login(server: str) -> None:
    path = _sessions_path()
    documents = _read_documents(path)
    if documents.pop(server, None) is not None:
        _write_private(path, documents)


def _sessions_path() -> str:
    return os.path.join(config_dir(), SESSIONS_FILE)


# --- the refresh token ----------------------------------------------------------------------


class KeyringStore:
    """The OS keyring (Secret Service, Keychain, Windows Credential Manager, KWallet…),
    through one backend class named by its import path."""

    storage = KEYRING

    def __init__(self, backend: str | Any) -> None:
        self._backend: Any = None if isinstance(backend, str) else backend
        self.backend_path = backend if isinstance(backend, str) else _class_path(backend)

    @property
    def description(self) -> str:
        backend = self._keyring()
        return f"OS keyring ({getattr(backend, 'name', type(backend).__name__)})"

    def load(self, server: str) -> str | None:
        text = self._call("get_password", SERVICE, server)
        if not text:
            return None
        if text.startswith("{"):
            # Kept by an earlier version: the whole login as one JSON document.
            try:
                token = json.loads(text).get("refresh_token")
            except (ValueError, AttributeError):
                return None
            return token if isinstance(token, str) else None
        return str(text)

    def save(self, server: str, token: str) -> None:
        self._call("set_password", SERVICE, server, token)

    def clear(self, server: str) -> None:
        from keyring.errors import PasswordDeleteError

        try:
            self._call("delete_password", SERVICE, server)
        except PasswordDeleteError:
            return  # nothing stored: already logged out

    def _keyring(self) -> Any:
        if self._backend is None:
            import importlib

            module, _, name = self.backend_path.rpartition(".")
            try:
                self._backend = getattr(importlib.import_module(module), name)()
            except Exception as error:  # a backend uninstalled since the login, say
                from taskflow_cli.errors import TokenStoreError

                raise TokenStoreError(
                    f"the keyring backend used at login ({self.backend_path}) cannot be "
                    f"loaded: {error}; run `taskflow login` again"
                ) from error
        return self._backend

    def _call(self, method: str, *args: str) -> Any:
        from keyring.errors import KeyringError, PasswordDeleteError

        try:
            return getattr(self._keyring(), method)(*args)
        except PasswordDeleteError:
            raise
        except KeyringError as error:
            from taskflow_cli.errors import TokenStoreError

            detail = str(error) or type(error).__name__
            raise TokenStoreError(f"the OS keyring failed: {detail}") from error


class FileStore:
    """`credentials.json` in the config dir, mode 0600: only for `--insecure-storage`."""

    storage = FILE

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = os.fspath(path) if path else os.path.join(config_dir(), CREDENTIALS_FILE)

    @property
    def description(self) -> str:
        return f"file {self.path} (insecure storage, readable by you only)"

    def load(self, server: str) -> str | None:
        entry = self._read().get(server)
        token = entry.get("refresh_token") if isinstance(entry, dict) else None
        return token if isinstance(token, str) else None

    def save(self, server: str, token: str) -> None:
        documents = self._read()
        documents[server] = {"refresh_token": token}
        _write_private(self.path, documents)

    def clear(self, server: str) -> None:
        documents = self._read()
        if documents.pop(server, None) is None:
            return
        if documents:
            _write_private(self.path, documents)
        else:
            _remove(self.path)

    def _read(self) -> dict[str, Any]:
        try:
            return _read_documents(self.path, strict=True)
        except (OSError, ValueError) as error:
            from taskflow_cli.errors import TokenStoreError

            raise TokenStoreError(f"cannot read {self.path}: {error}") from error


def store_for(login: Login) -> RefreshTokens:
    """The store a login's refresh token was put in."""
    if login.storage == KEYRING and login.backend:
        return KeyringStore(login.backend)
    return FileStore()


def os_keyring() -> KeyringStore:
    """The keyring backend `keyring` picks here (honouring PYTHON_KEYRING_BACKEND and
    keyringrc.cfg), if it keeps secrets safe.

    Raises:
        KeyringUnavailable: none does (no Secret Service, or only plain-text files).
    """
    import keyring
    from keyring.backends import chainer, fail

    from taskflow_cli.errors import KeyringUnavailable

    try:
        backend = keyring.get_keyring()
    except Exception as error:  # a broken backend module or config must not crash login
        raise KeyringUnavailable(f"the keyring library failed to start: {error}") from error
    if isinstance(backend, chainer.ChainerBackend):
        # The chainer writes to its first backend: that one is remembered.
        members = [member for member in backend.backends if not isinstance(member, fail.Keyring)]
        if not members:
            raise KeyringUnavailable("no OS keyring service is available (no Secret Service?)")
        backend = members[0]
    if isinstance(backend, fail.Keyring):
        raise KeyringUnavailable("no OS keyring service is available (no Secret Service?)")
    if not _chosen_explicitly() and float(backend.priority) < 1:
        # keyring falls back on plain-text file backends (keyrings.alt) when nothing else
        # is there; only a user who picked one on purpose gets it.
        raise KeyringUnavailable(
            f"the only keyring backend found ({backend.name}) stores secrets unencrypted"
        )
    return KeyringStore(backend)


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


def _read_documents(path: str, *, strict: bool = False) -> dict[str, Any]:
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


def _write_private(path: str, document: dict[str, Any]) -> None:
    """Replace `path` with `document`: created 0600 before the first byte, swapped in whole."""
    folder, name = os.path.split(path)
    private_dir(folder)
    draft = os.path.join(folder, f".{name}.{os.getpid()}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(document, handle, indent=2)
    os.replace(draft, path)


def _remove(path: str) -> None:
    try:  # noqa: SIM105 - contextlib.suppress would load contextlib on every command
        os.remove(path)
    except FileNotFoundError:
        pass


def _chosen_explicitly() -> bool:
    from keyring.util.platform_ import config_root

    return (
        bool(os.environ.get("PYTHON_KEYRING_BACKEND")) or (config_root() / "keyringrc.cfg").exists()
    )


def _class_path(backend: Any) -> str:
    kind = type(backend)
    return f"{kind.__module__}.{kind.__qualname__}"
