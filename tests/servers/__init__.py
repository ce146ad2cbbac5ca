"""Throwaway PostgreSQL and Redis servers that tests start, kill, pause and restart themselves.

Each runs as a child process on a free port with its files in a directory of its own, so a
test can do to it what it must never do to a server someone else uses.
"""

from __future__ import annotations

import os
import shutil
import socket


class Unavailable(Exception):
    """The server cannot run here (not installed, or not runnable by this user)."""


class NotInstalled(Unavailable):
    """Its binaries are not installed: installing its package fixes it."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def install_command(*packages: str) -> str:
    """The one command that installs Debian-named `packages` with this system's package manager."""
    sudo = "" if os.geteuid() == 0 else "sudo "
    if shutil.which("apt-get"):
        return f"{sudo}apt-get install {' '.join(packages)}"
    other_names = {"postgresql": "postgresql-server", "redis-server": "redis"}
    if shutil.which("dnf"):
        return f"{sudo}dnf install {' '.join(other_names.get(name, name) for name in packages)}"
    if shutil.which("brew"):
        brew_names = {"redis-server": "redis"}
        return f"brew install {' '.join(brew_names.get(name, name) for name in packages)}"
    return f"install {' and '.join(packages)} with your system's package manager"
