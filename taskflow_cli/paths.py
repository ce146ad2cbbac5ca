"""Where the CLI keeps its files: the config dir, and the runtime dir for short-lived tokens.

The directories are the ones `platformdirs` names (XDG on Linux and BSD, Application
Support on macOS); they are worked out here because importing `platformdirs` takes longer
than a command spends talking to a local server. Windows, whose folders come from a system
call, still asks `platformdirs`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP = "taskflow"


def config_dir() -> Path:
    """The per-user config directory (`$XDG_CONFIG_HOME/taskflow`, `~/.config/taskflow`)."""
    if sys.platform == "win32":
        from platformdirs import user_config_dir

        return Path(user_config_dir(APP, appauthor=False))
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / APP
    base = os.environ.get("XDG_CONFIG_HOME", "").strip()
    return Path(base or Path.home() / ".config") / APP


def runtime_dir() -> Path:
    """A directory only this user can read, emptied at logout where the OS does that.

    `$XDG_RUNTIME_DIR/taskflow` when the session has one (Linux: a per-user tmpfs);
    otherwise a directory under the config dir.
    """
    base = os.environ.get("XDG_RUNTIME_DIR", "").strip()
    if base and sys.platform != "win32" and _private_dir(Path(base)):
        return Path(base) / APP
    return config_dir() / "run"


def private_dir(path: Path) -> Path:
    """`path`, created if needed with mode 0700 (its parents too)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _private_dir(path: Path) -> bool:
    """A directory of this user's that no one else can enter (as XDG requires)."""
    try:
        status = path.stat()
    except OSError:
        return False
    return status.st_uid == os.getuid() and status.st_mode & 0o077 == 0 and path.is_dir()
