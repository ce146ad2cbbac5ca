"""The stores of refresh tokens: the OS keyring (the backend chosen at login, imported
directly), or with `--insecure-storage` a 0600 `credentials.json` in the config dir."""

from __future__ import annotations

import json
import os

from taskflow_cli.paths import config_dir
from taskflow_cli.tokens import FILE, KEYRING, read_documents, remove_file, write_private

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from taskflow_cli.tokens import Login, RefreshTokens

SERVICE = "taskflow"
CREDENTIALS_FILE = "credentials.json"


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
        write_private(self.path, documents)

    def clear(self, server: str) -> None:
        documents = self._read()
        if documents.pop(server, None) is None:
            return
        if documents:
            write_private(self.path, documents)
        else:
            remove_file(self.path)

    def _read(self) -> dict[str, Any]:
        try:
            return read_documents(self.path, strict=True)
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


def _chosen_explicitly() -> bool:
    from keyring.util.platform_ import config_root

    return (
        bool(os.environ.get("PYTHON_KEYRING_BACKEND")) or (config_root() / "keyringrc.cfg").exists()
    )


def _class_path(backend: Any) -> str:
    kind = type(backend)
    return f"{kind.__module__}.{kind.__qualname__}"
