"""A PostgreSQL cluster of the test's own: `initdb` once, then `postgres` as a child process.

The postmaster is our child in a process group of its own, so `kill()` is a real crash (every
server process gets SIGKILL at once) and `start()` afterwards recovers the same data directory,
as a supervisor restarting a crashed database would.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg

from tests.servers import NotInstalled, Unavailable, free_port

if TYPE_CHECKING:
    from collections.abc import Mapping

# PostgreSQL refuses to run as root; as root, the cluster runs as this account (Debian's
# packages create it).
SERVICE_ACCOUNT = "postgres"
SUPERUSER = "postgres"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0


def postgres_bindir() -> Path | None:
    """Where `initdb` and `postgres` are: on PATH, else the newest /usr/lib/postgresql/N/bin."""
    on_path = shutil.which("initdb")
    candidates = [Path(on_path).resolve().parent] if on_path else []
    candidates += sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0,
        reverse=True,
    )
    for bindir in candidates:
        if (bindir / "initdb").is_file() and (bindir / "postgres").is_file():
            return bindir
    return None


def _account() -> pwd.struct_passwd | None:
    """The account to run the cluster as: None for ourselves, the service account as root."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(SERVICE_ACCOUNT)
    except KeyError:
        raise Unavailable(
            f"it refuses to run as root, and there is no {SERVICE_ACCOUNT!r} account to run it as"
        ) from None


class PostgresServer:
    """A cluster on 127.0.0.1 and a free port; trust authentication for `postgres`.

    Args:
        workdir: Where the server's log goes (and its data, unless running as root: the
            service account cannot enter a root-only temporary directory, so the data then
            lives in a directory of its own under the system's temporary directory).
        settings: Extra `postgres -c name=value` settings.
    """

    def __init__(self, workdir: Path, *, settings: Mapping[str, str] | None = None) -> None:
        bindir = postgres_bindir()
        if bindir is None:
            raise NotInstalled(
                "not installed (no initdb and postgres on PATH or in /usr/lib/postgresql)"
            )
        self._bindir = bindir
        self._account = _account()
        self._settings = dict(settings or {})
        self.port = free_port()
        self.log_path = workdir / "postgres.log"
        if self._account is None:
            self._home = workdir / "postgres"
            self._home.mkdir()
        else:
            self._home = Path(tempfile.mkdtemp(prefix="taskflow-postgres-"))
            os.chown(self._home, self._account.pw_uid, self._account.pw_gid)
        self.datadir = self._home / "data"
        self._process: subprocess.Popen[bytes] | None = None
        self._initdb()

    @property
    def version(self) -> str:
        output = subprocess.run(
            [self._bindir / "postgres", "--version"], capture_output=True, text=True, check=True
        ).stdout
        match = re.search(r"\d+(\.\d+)*", output)
        return match.group(0) if match else output.strip()

    def url(self, database: str = "postgres") -> str:
        """The SQLAlchemy URL of `database` on this cluster."""
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def _run_as(self) -> tuple[int | None, int | None, list[int] | None]:
        """Popen's `user`, `group` and `extra_groups`: the service account's, or ours."""
        if self._account is None:
            return None, None, None
        return self._account.pw_uid, self._account.pw_gid, []

    def _initdb(self) -> None:
        locale = "en_US.UTF-8" if sys.platform == "darwin" else "C.UTF-8"
        user, group, extra_groups = self._run_as()
        with self.log_path.open("ab") as log:
            subprocess.run(
                [
                    *(self._bindir / "initdb", "--pgdata", self.datadir),
                    *("--username", SUPERUSER, "--auth", "trust", "--encoding", "UTF8"),
                    *("--locale", locale, "--no-sync"),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                check=True,
                timeout=120,
                user=user,
                group=group,
                extra_groups=extra_groups,
            )

    def start(self) -> float:
        """Start (again, on the same port and data); returns when it accepts connections.

        Returns:
            The `time.monotonic()` at which the first connection succeeded.
        """
        options = {
            "listen_addresses": "127.0.0.1",
            # TCP only: a socket path under a deep temporary directory can pass the length
            # limit of Unix sockets.
            "unix_socket_directories": "",
            "max_connections": "200",
        } | self._settings
        user, group, extra_groups = self._run_as()
        log = self.log_path.open("ab")
        try:
            self._process = subprocess.Popen(
                [
                    *(self._bindir / "postgres", "-D", self.datadir, "-p", str(self.port)),
                    *(
                        part
                        for name, value in options.items()
                        for part in ("-c", f"{name}={value}")
                    ),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                user=user,
                group=group,
                extra_groups=extra_groups,
            )
        finally:
            log.close()
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"postgres exited; see {self.log_path}")
            if self.accepts_connections():
                return time.monotonic()
            time.sleep(0.02)
        raise RuntimeError(f"postgres did not accept connections within {START_TIMEOUT} s")

    def accepts_connections(self) -> bool:
        try:
            with psycopg.connect(self.dsn(), connect_timeout=1) as connection:
                connection.execute("SELECT 1")
        except psycopg.Error:
            return False
        return True

    def dsn(self, database: str = "postgres") -> str:
        """The libpq URL of `database`, for psycopg itself."""
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Create an empty database; returns its SQLAlchemy URL."""
        with psycopg.connect(self.dsn(), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def kill(self) -> None:
        """Crash it: SIGKILL to the postmaster and every backend at once."""
        if self._process is not None:
            os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait(STOP_TIMEOUT)
            self._process = None

    def stop(self) -> None:
        """Shut down (fast mode: clients are disconnected, nothing is lost)."""
        if self._process is None:
            return
        self._process.send_signal(signal.SIGINT)
        try:
            self._process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait(STOP_TIMEOUT)
        self._process = None

    def remove(self) -> None:
        """Stop it and delete its data."""
        self.stop()
        shutil.rmtree(self._home, ignore_errors=True)
