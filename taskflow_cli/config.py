"""Which server the CLI talks to, and the small config file that remembers it.

The server comes from `--server` (the command's, else the global one), then
`TASKFLOW_SERVER`, then `server = "…"` in `config.toml` in the user config dir, then
http://127.0.0.1:8000.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import urlsplit

from taskflow_cli.errors import BadUsage

DEFAULT_SERVER = "http://127.0.0.1:8000"
CONFIG_FILE = "config.toml"
SERVER_VARIABLE = "TASKFLOW_SERVER"


def config_dir() -> Path:
    """The per-user config directory (XDG_CONFIG_HOME/taskflow on Linux)."""
    from platformdirs import user_config_dir

    return Path(user_config_dir("taskflow", appauthor=False))


def config_path() -> Path:
    return config_dir() / CONFIG_FILE


def read_config() -> dict[str, str]:
    """The config file's string settings; empty when there is no file."""
    import tomllib

    path = config_path()
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise BadUsage(f"cannot read {path}: {error}") from error
    return {key: value for key, value in data.items() if isinstance(value, str)}


def write_config(**changes: str) -> None:
    """Set some keys of the config file, keeping the others."""
    values = read_config() | changes
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    # A JSON string literal is a valid TOML basic string for any text.
    text = "".join(f"{key} = {json.dumps(value)}\n" for key, value in sorted(values.items()))
    draft = path.with_name(f".{path.name}.{os.getpid()}")
    draft.write_text(text, encoding="utf-8")
    draft.replace(path)


def normalize_server(url: str) -> str:
    """`localhost:8000/` -> `http://localhost:8000`; refuses what is not an http(s) URL."""
    text = url.strip().rstrip("/")
    if "://" not in text:
        text = f"http://{text}"
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise BadUsage(f"invalid server URL {url!r}: expected e.g. http://127.0.0.1:8000")
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path}"


class _GlobalOptions:
    """`taskflow --server URL …`, recorded by the root callback for this process."""

    server: str | None = None


def set_global_server(server: str | None) -> None:
    _GlobalOptions.server = server


def resolve_server(flag: str | None = None) -> str:
    """The server URL this command uses (see the module docstring for the order)."""
    chosen = flag or _GlobalOptions.server or os.environ.get(SERVER_VARIABLE)
    if not chosen:
        chosen = read_config().get("server") or DEFAULT_SERVER
    return normalize_server(chosen)
