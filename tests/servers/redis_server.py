"""A redis-server of the test's own, to stop, kill, pause and start without disturbing anyone."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import redis

from tests.servers import NotInstalled, free_port

START_TIMEOUT = 10.0


def redis_server_binary() -> str | None:
    return shutil.which("redis-server")


class RedisServer:
    """`redis-server` as a subprocess on a fixed port: no persistence, no daemonizing.

    Args:
        workdir: Where its log goes; nowhere (discarded) by default.
    """

    def __init__(self, workdir: Path | None = None) -> None:
        binary = redis_server_binary()
        if binary is None:
            raise NotInstalled("not installed (no redis-server on PATH)")
        self._binary = binary
        self._log = workdir / "redis.log" if workdir is not None else None
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def version(self) -> str:
        output = subprocess.run(
            [self._binary, "--version"], capture_output=True, text=True, check=True
        ).stdout
        match = re.search(r"v=(\S+)", output)
        return match.group(1) if match else output.strip()

    def start(self) -> None:
        """Start (again, on the same port) and wait until it answers."""
        log = self._log.open("ab") if self._log is not None else subprocess.DEVNULL
        try:
            self._process = subprocess.Popen(
                [
                    *(self._binary, "--port", str(self.port), "--bind", "127.0.0.1"),
                    *("--save", "", "--appendonly", "no", "--daemonize", "no"),
                    *("--databases", "32"),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        finally:
            if not isinstance(log, int):
                log.close()
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.answers():
                return
            time.sleep(0.02)
        raise RuntimeError(f"redis-server on port {self.port} did not start")

    def stop(self) -> None:
        """Stop it: from now on connections are refused."""
        if self._process is not None:
            self._process.send_signal(signal.SIGCONT)  # a frozen server cannot exit
            self._process.terminate()
            self._process.wait(10)
            self._process = None

    def kill(self) -> None:
        """Crash it (SIGKILL): connections drop, everything it held is gone."""
        if self._process is not None:
            self._process.kill()
            self._process.wait(10)
            self._process = None

    def freeze(self) -> None:
        """SIGSTOP: connections are accepted by the kernel but nothing answers."""
        assert self._process is not None
        os.kill(self._process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        """SIGCONT after `freeze`."""
        assert self._process is not None
        os.kill(self._process.pid, signal.SIGCONT)

    def pause(self, milliseconds: int) -> None:
        """Hold every client command for `milliseconds` (CLIENT PAUSE ... ALL)."""
        with self.client() as client:
            client.execute_command("CLIENT", "PAUSE", milliseconds, "ALL")

    def answers(self) -> bool:
        try:
            with self.client() as client:
                return bool(client.ping())
        except redis.RedisError:
            return False

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_timeout=5, socket_connect_timeout=1)
