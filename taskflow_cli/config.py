"""`config.toml` in the config dir, and which server a command talks to.

The server comes from `--server`, then `TASKFLOW_SERVER`, then `server = "…"` in
`config.toml`, then http://127.0.0.1:8000. Every setting the file holds is checked when it
is read: a value the CLI does not know is refused, never silently ignored.
"""

from __future__ import annotations

import json
import os

from taskflow_cli.paths import config_dir

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

DEFAULT_SERVER = "http://127.0.0.1:8000"
CONFIG_FILE = "config.toml"
SERVER_VARIABLE = "TASKFLOW_SERVER"
# Setting -> the values it accepts (None: any text, checked where it is used).
SETTINGS: dict[str, tuple[str, ...] | None] = {
    "server": None,
    "output": ("table", "json", "csv"),
    "date_order": ("DMY", "MDY"),
}
_DEFAULT_PORTS = {"http": 80, "https": 443}

_cached: dict[str, str] | None = None


def config_path() -> Path:
    return config_dir() / CONFIG_FILE


def read_config() -> dict[str, str]:
    """The config file's settings, checked (read once per process); empty without a file.

    Raises:
        BadUsage: the file is not TOML, or a setting is unknown or has a value it cannot take.
    """
    global _cached  # noqa: PLW0603 - one read per process
    if _cached is None:
        _cached = _checked(_load(config_path()))
    return dict(_cached)


def write_config(**changes: str) -> None:
    """Set some settings in the config file, keeping the others."""
    global _cached  # noqa: PLW0603
    values = read_config() | changes
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    # A JSON string literal is a valid TOML basic string for any text.
    text = "".join(f"{key} = {json.dumps(value)}\n" for key, value in sorted(values.items()))
    draft = path.with_name(f".{path.name}.{os.getpid()}")
    draft.write_text(text, encoding="utf-8")
    draft.replace(path)
    _cached = values


def normalize_server(url: str) -> str:
    """The one spelling of a server URL that logins are kept under.

    `HTTP://LocalHost:80/` -> `http://localhost`: scheme and host lower-cased, the scheme's
    default port and trailing slashes dropped, `http://` added when no scheme is given.
    `localhost` and `127.0.0.1` stay different servers: a name may resolve elsewhere.
    """
    from urllib.parse import urlsplit

    text = url.strip()
    if "://" not in text:
        text = f"http://{text}"
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        parts, port = None, None
    scheme = parts.scheme.lower() if parts else ""
    if (
        parts is None
        or scheme not in _DEFAULT_PORTS
        or not parts.hostname
        or parts.username is not None
        or parts.query
        or parts.fragment
    ):
        from taskflow_cli.errors import BadUsage

        raise BadUsage(f"invalid server URL {url!r}: expected e.g. http://127.0.0.1:8000")
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    return f"{scheme}://{host}{parts.path.rstrip('/')}"


def resolve_server(flag: str | None = None) -> tuple[str, str | None]:
    """The server this command uses, and where it came from when that was not the
    configured default (`--server`, `TASKFLOW_SERVER`), for a note on stderr."""
    configured = normalize_server(read_config().get("server") or DEFAULT_SERVER)
    for chosen, source in ((flag, "--server"), (os.environ.get(SERVER_VARIABLE), SERVER_VARIABLE)):
        if chosen:
            url = normalize_server(chosen)
            return url, (source if url != configured else None)
    return configured, None


def _load(path: Path) -> dict[str, object]:
    try:
        with path.open("rb") as handle:
            import tomllib

            try:
                return tomllib.load(handle)
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
                problem: Exception = error
    except FileNotFoundError:
        return {}
    except OSError as error:
        problem = error
    from taskflow_cli.errors import BadUsage

    raise BadUsage(f"cannot read {path}: {problem}")


def _checked(data: dict[str, object]) -> dict[str, str]:
    path = config_path()
    for key, value in data.items():
        if key not in SETTINGS:
            from taskflow_cli.errors import BadUsage

            known = ", ".join(SETTINGS)
            raise BadUsage(f"{path}: unknown setting {key!r} (the settings are {known})")
        allowed = SETTINGS[key]
        if not isinstance(value, str) or (allowed is not None and value not in allowed):
            from taskflow_cli.errors import BadUsage

            shown = json.dumps(value) if isinstance(value, str) else repr(value)
            expected = ", ".join(f'"{choice}"' for choice in allowed) if allowed else "a string"
            raise BadUsage(f"{path}: {key} = {shown} is not allowed; use {expected}")
    return {key: str(value) for key, value in data.items()}
