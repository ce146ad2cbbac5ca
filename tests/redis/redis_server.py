"""A redis-server of the test's own, to stop, start and pause without disturbing anyone else.

Degradation tests make Redis unreachable or slow; doing that to the shared Redis would hit
every other test and process using it, so they run their own on a free port.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

import redis

from tests.services import service_unavailable


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class RedisServer:
    """`redis-server` as a subprocess on a fixed port: no persistence, no daemonizing."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            service_unavailable("redis-server is not installed")
        assert binary is not None
        self._binary = binary
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start (again, on the same port) and wait until it answers."""
        self._process = subprocess.Popen(
            [
                *(self._binary, "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--daemonize", "no"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.answers():
                return
            time.sleep(0.02)
        raise RuntimeError(f"redis-server on port {self.port} did not start")

    def stop(self) -> None:
        """Stop it: from now on connections are refused."""
        if self._process is not None:
            self._process.terminate()
            self._process.wait(10)
            self._process = None

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
