"""Where the CLI keeps its files: the config dir, and the runtime dir for short-lived tokens.

The directories are the ones `platformdirs` names (XDG on Linux and BSD, Application
Support on macOS); they are worked out here because importing `platformdirs` takes longer
than a command spends talking to a local server. Windows, whose folders come from a system
call, still asks `platformdirs`. Paths are strings: `pathlib` would be one more module to
load on every command.
"""

from __future__ import annotations

import os
import sys

APP = "taskflow"


def config_dir() -> str:
    """The per-user config directory (`$XDG_CONFIG_HOME/taskflow`, `~/.config/taskflow`)."""
    if sys.platform == "win32":
        from platformdirs import user_config_dir

        return user_config_dir(APP, appauthor=False)
    if sys.platform == "darwin":
        return os.path.join(os.path.expanduser("~"), "Library", "Application Support", APP)
    base = os.environ.get("XDG_CONFIG_HOME", "").strip()
    return os.path.join(base or os.path.join(os.path.expanduser("~"), ".config"), APP)


def runtime_dir() -> str:
    """A directory only this user can read, emptied at logout where the OS does that.

    `$XDG_RUNTIME_DIR/taskflow` when the session has one (Linux: a per-user tmpfs) that is
    this user's alone; otherwise a directory under the config dir.
    """
    base = os.environ.get("XDG_RUNTIME_DIR", "").strip()
    if base and sys.platform != "win32" and _private_dir(base):
        return os.path.join(base, APP)
    return os.path.join(config_dir(), "run")


def private_dir(path: str) -> str:
    """`path`, created if needed with mode 0700 (its parents too)."""
    os.makedirs(path, mode=0o700, exist_ok=True)
    return path


def _private_dir(path: str) -> bool:
    """A directory of this user's that no one else can enter (as XDG requires)."""
    import stat

    try:
        status = os.stat(path)
    except OSError:
        return False
    return (
        stat.S_ISDIR(status.st_mode)
        and status.st_uid == os.getuid()
        and status.st_mode & 0o077 == 0
    )
