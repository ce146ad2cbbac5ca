"""`config.toml` in the config dir, and which server a command talks to.

The server comes from `--server`, then `TASKFLOW_SERVER`, then `server = "…"` in
`config.toml`, then http://127.0.0.1:8000. Every setting the file holds is checked when it
is read: a value the CLI does not know is refused, never silently ignored.

Every setting is a string, so the file is read as the part of TOML that writes strings
(`key = "text"`, `key = 'text'`, comments): `tomllib` (and `typing`, which it loads) would
cost every command more start-up time than reading the file does. Anything else in the
file is refused with its line number.
"""

from __future__ import annotations

import json
import os
import re

from taskflow_cli.paths import config_dir

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
_SETTING = re.compile(
    r"""([A-Za-z0-9_-]+)[ \t]*=[ \t]*"""
    r"""("(?:[^"\\\x00-\x08\x0a-\x1f\x7f]|\\.)*"|'[^'\x00-\x08\x0a-\x1f\x7f]*')"""
    r"[ \t]*(?:#.*)?"
)
_ESCAPED = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}

_cached: dict[str, str] | None = None


def config_path() -> str:
    return os.path.join(config_dir(), CONFIG_FILE)


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
    os.makedirs(os.path.dirname(path), exist_ok=True)
    # A JSON string literal (ASCII, so no raw control characters) is a TOML basic string.
    text = "".join(f"{key} = {json.dumps(value)}\n" for key, value in sorted(values.items()))
    draft = f"{path}.{os.getpid()}"
    with open(draft, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(draft, path)
    _cached = values


def normalize_server(url: str) -> str:
    """The one spelling of a server URL that logins are kept under.

    `HTTP://LocalHost:80/` -> `http://localhost`: scheme and host lower-cased, the scheme's
    default port and trailing slashes dropped, `http://` added when no scheme is given.
    `localhost` and `127.0.0.1` stay different servers: a name may resolve elsewhere.
    """
    from taskflow_cli.urls import Url

    text = url.strip()
    try:
        parts = Url(text if "://" in text else f"http://{text}")
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in _DEFAULT_PORTS or parts.user is not None or parts.rest:
        from taskflow_cli.errors import BadUsage

        raise BadUsage(f"invalid server URL {url!r}: expected e.g. http://127.0.0.1:8000")
    if parts.port == _DEFAULT_PORTS[parts.scheme]:
        parts.port = None
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def resolve_server(flag: str | None = None) -> tuple[str, str | None]:
    """The server this command uses, and where it came from when that was not the
    configured default (`--server`, `TASKFLOW_SERVER`), for a note on stderr."""
    configured = normalize_server(read_config().get("server") or DEFAULT_SERVER)
    for chosen, source in ((flag, "--server"), (os.environ.get(SERVER_VARIABLE), SERVER_VARIABLE)):
        if chosen:
            url = normalize_server(chosen)
            return url, (source if url != configured else None)
    return configured, None


def _load(path: str) -> dict[str, object]:
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as error:
        from taskflow_cli.errors import BadUsage

        raise BadUsage(f"cannot read {path}: {error}") from None
    return parse_settings(text, path)


def parse_settings(text: str, path: str) -> dict[str, object]:
    """The `key = "text"` settings of a config file's text (TOML's strings); BadUsage
    naming the line for anything else."""
    settings: dict[str, object] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _SETTING.fullmatch(line)
        if match is None or match[1] in settings:
            from taskflow_cli.errors import BadUsage

            problem = f"{match[1]} is set twice" if match else f'{line!r} is not setting = "text"'
            raise BadUsage(f"{path} line {number}: {problem}")
        settings[match[1]] = _string(match[2], f"{path} line {number}")
    return settings


def _string(literal: str, where: str) -> str:
    """The text of a TOML string: a basic one ("…", with escapes) or a literal one ('…')."""
    if literal.startswith("'") or "\\" not in literal:
        return literal[1:-1]

    def unescape(escape: re.Match[str]) -> str:
        code = escape[1]
        if code[0] in "uU":
            return chr(int(code[1:], 16))
        if code in _ESCAPED:
            return _ESCAPED[code]
        from taskflow_cli.errors import BadUsage

        raise BadUsage(f"{where}: \\{code} is not an escape TOML knows")

    try:
        return re.sub(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", unescape, literal[1:-1])
    except (ValueError, OverflowError):
        from taskflow_cli.errors import BadUsage

        raise BadUsage(f"{where}: an escape names no character") from None


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
