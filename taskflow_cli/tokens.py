"""Where a login's tokens live: the OS keyring, or (when asked) a 0600 file.

One keyring entry per server URL (service `taskflow`) holds a small JSON document: the
refresh token, the access token and its expiry, and who logged in. Without a usable OS
keyring, `taskflow login --insecure-storage` keeps the same documents in one file in the
config dir that only the user can read.
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from taskflow_cli.config import config_dir
from taskflow_core.domain.errors import TaskflowError

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

SERVICE = "taskflow"
CREDENTIALS_FILE = "credentials.json"
LOCK_FILE = "session.lock"
# Refresh a little before the server would refuse the token: covers clock skew and the
# time the request spends in flight.
EXPIRY_MARGIN = timedelta(seconds=10)
LOCK_TIMEOUT = 30.0


class KeyringUnavailable(TaskflowError):
    """No OS keyring that keeps secrets safe."""


class TokenStorageError(TaskflowError):
    """The keyring or the credentials file failed to read or write."""


@dataclass(frozen=True, slots=True)
class Credentials:
    """One login to one server."""

    server: str
    email: str
    role: str
    access_token: str
    access_expires_at: datetime
    refresh_token: str

    @classmethod
    def from_token_response(cls, server: str, body: dict[str, Any], now: datetime) -> Credentials:
        """Credentials from a `TokenResponse`, the access expiry counted from `now`."""
        return cls(
            server=server,
            email=body["user"]["email"],
            role=body["user"]["role"],
            access_token=body["accessToken"],
            access_expires_at=now + timedelta(seconds=int(body["expiresIn"])),
            refresh_token=body["refreshToken"],
        )

    def access_token_usable(self, now: datetime) -> bool:
        return now < self.access_expires_at - EXPIRY_MARGIN

    def to_dict(self) -> dict[str, str]:
        values = asdict(self)
        values["access_expires_at"] = self.access_expires_at.isoformat()
        return values

    @classmethod
    def from_dict(cls, values: Any) -> Credentials | None:
        """Parse a stored document; None for anything unreadable (treated as logged out)."""
        try:
            return cls(
                server=values["server"],
                email=values["email"],
                role=values["role"],
                access_token=values["access_token"],
                access_expires_at=datetime.fromisoformat(values["access_expires_at"]),
                refresh_token=values["refresh_token"],
            )
        except (KeyError, TypeError, ValueError):
            return None


class TokenStore(Protocol):
    """Keeps one `Credentials` per server."""

    @property
    def description(self) -> str: ...

    def load(self, server: str) -> Credentials | None: ...

    def save(self, credentials: Credentials) -> None: ...

    def clear(self, server: str) -> None: ...


class KeyringStore:
    """The OS keyring (Secret Service, Keychain, Windows Credential Manager, KWallet…)."""

    def __init__(self, backend: Any) -> None:
        self._backend = backend

    @property
    def description(self) -> str:
        # The chainer writes to its first backend: name that one.
        chained = getattr(self._backend, "backends", None)
        backend = chained[0] if chained else self._backend
        return f"OS keyring ({getattr(backend, 'name', type(backend).__name__)})"

    def load(self, server: str) -> Credentials | None:
        text = self._call(self._backend.get_password, SERVICE, server)
        if not text:
            return None
        try:
            return Credentials.from_dict(json.loads(text))
        except ValueError:
            return None

    def save(self, credentials: Credentials) -> None:
        document = json.dumps(credentials.to_dict())
        self._call(self._backend.set_password, SERVICE, credentials.server, document)

    def clear(self, server: str) -> None:
        from keyring.errors import PasswordDeleteError

        with suppress(PasswordDeleteError):  # nothing stored: already logged out
            self._call(self._backend.delete_password, SERVICE, server)

    def _call(self, method: Any, *args: str) -> Any:
        from keyring.errors import KeyringError, PasswordDeleteError

        try:
            return method(*args)
        except PasswordDeleteError:
            raise
        except KeyringError as error:
            detail = str(error) or type(error).__name__
            raise TokenStorageError(f"the OS keyring failed: {detail}") from error


class FileStore:
    """`credentials.json` in the config dir, mode 0600: only for `--insecure-storage`."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or config_dir() / CREDENTIALS_FILE

    @property
    def description(self) -> str:
        return f"file {self.path} (insecure storage, readable by you only)"

    def load(self, server: str) -> Credentials | None:
        return Credentials.from_dict(self._read().get(server))

    def save(self, credentials: Credentials) -> None:
        documents = self._read()
        documents[credentials.server] = credentials.to_dict()
        self._write(documents)

    def clear(self, server: str) -> None:
        documents = self._read()
        if documents.pop(server, None) is None:
            return
        if documents:
            self._write(documents)
        else:
            self.path.unlink(missing_ok=True)

    def _read(self) -> dict[str, Any]:
        try:
            documents = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            raise TokenStorageError(f"cannot read {self.path}: {error}") from error
        return documents if isinstance(documents, dict) else {}

    def _write(self, documents: dict[str, Any]) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        draft = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        # Created 0600 before the first byte is written, then swapped in whole.
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(documents, handle, indent=2)
        draft.replace(self.path)


def os_keyring() -> KeyringStore:
    """The OS keyring, or KeyringUnavailable saying why there is none worth trusting."""
    import keyring
    from keyring.backends import chainer, fail

    try:
        backend = keyring.get_keyring()
    except Exception as error:  # a broken backend module or config must not crash login
        raise KeyringUnavailable(f"the keyring library failed to start: {error}") from error
    if isinstance(backend, fail.Keyring) or (
        isinstance(backend, chainer.ChainerBackend) and not backend.backends
    ):
        raise KeyringUnavailable("no OS keyring service is available (no Secret Service?)")
    if not _chosen_explicitly() and not _keeps_secrets(backend):
        # keyring falls back on plain-text file backends (keyrings.alt) when nothing else
        # is there; only a user who picked one on purpose gets it.
        raise KeyringUnavailable(
            f"the only keyring backend found ({backend.name}) stores secrets unencrypted"
        )
    return KeyringStore(backend)


def stored_session(server: str) -> tuple[Credentials, TokenStore] | None:
    """The credentials stored for `server` and the store holding them, if logged in."""
    files = FileStore()
    credentials = files.load(server)
    if credentials is not None:
        return credentials, files
    try:
        store = os_keyring()
    except KeyringUnavailable:
        return None
    credentials = store.load(server)
    return None if credentials is None else (credentials, store)


@contextmanager
def session_lock() -> Iterator[None]:
    """Serialize token changes across processes (CLI, TUI, several shells).

    A refresh token works once and presenting it again revokes the whole login, so two
    processes must never refresh with the same token: whoever gets the lock second re-reads
    the store and finds the pair the first one stored.
    """
    from filelock import FileLock, Timeout

    path = config_dir() / LOCK_FILE
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    lock = FileLock(str(path), timeout=LOCK_TIMEOUT)
    try:
        lock.acquire()
    except Timeout as error:
        raise TokenStorageError(
            f"another taskflow process has held {path} for {LOCK_TIMEOUT:.0f} s"
        ) from error
    try:
        yield
    finally:
        lock.release()


def _chosen_explicitly() -> bool:
    from keyring.util.platform_ import config_root

    return (
        bool(os.environ.get("PYTHON_KEYRING_BACKEND")) or (config_root() / "keyringrc.cfg").exists()
    )


def _keeps_secrets(backend: Any) -> bool:
    from keyring.backends import chainer

    if isinstance(backend, chainer.ChainerBackend):
        return any(_keeps_secrets(member) for member in backend.backends)
    # keyring's own rule: priority >= 1 is a recommended backend.
    return float(backend.priority) >= 1
