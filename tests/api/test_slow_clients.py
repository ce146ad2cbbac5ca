"""A real `taskflow server` drops clients that send a request too slowly (raw sockets)."""

from __future__ import annotations

import socket
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

from server.serve import BODY_TIMEOUT, HEAD_TIMEOUT
from tests.cli.conftest import Server, start_server

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = pytest.mark.e2e
# A loaded two-core machine may run the timer late; never early by more than a tick.
LATE = 10.0
TRICKLE = 2.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server("sqlite", tmp_path_factory.mktemp("slow"), name="slow")
    yield running
    running.stop()


def _connect(server: Server) -> socket.socket:
    address = urlsplit(server.url)
    sock = socket.create_connection((address.hostname, address.port), timeout=5)
    sock.settimeout(0.2)
    return sock


def _seconds_until_dropped(sock: socket.socket, first: bytes, trickle: bytes) -> float:
    """Send `first`, then `trickle` every TRICKLE seconds until the server hangs up."""
    started = time.monotonic()
    sock.sendall(first)
    next_send = started + TRICKLE
    while time.monotonic() - started < HEAD_TIMEOUT + BODY_TIMEOUT + 2 * LATE:
        try:
            if sock.recv(4096) == b"":
                return time.monotonic() - started
        except TimeoutError:
            pass
        except ConnectionError:
            return time.monotonic() - started
        if trickle and time.monotonic() >= next_send:
            try:
                sock.sendall(trickle)
            except ConnectionError:
                return time.monotonic() - started
            next_send += TRICKLE
    sock.close()
    return float("inf")


def test_slow_heads_and_bodies_are_dropped_within_their_bounds(server: Server) -> None:
    head = b"GET /health HTTP/1.1\r\nHost: x\r\n"
    body_head = (
        b"POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 1000\r\n\r\n{"
    )
    clients = {
        "header line every 2 s": (head, b"X-Slow: 1\r\n", HEAD_TIMEOUT),
        "silent after connecting": (b"", b"", HEAD_TIMEOUT),
        "body byte every 2 s": (body_head, b" ", BODY_TIMEOUT),
    }
    with ThreadPoolExecutor(len(clients)) as pool:
        waits = {
            name: pool.submit(_seconds_until_dropped, _connect(server), first, trickle)
            for name, (first, trickle, _) in clients.items()
        }
        dropped = {name: future.result() for name, future in waits.items()}
    for name, (_, _, bound) in clients.items():
        assert bound - 1 <= dropped[name] <= bound + LATE, (name, dropped)


def test_a_prompt_client_is_served_and_kept_alive(server: Server) -> None:
    sock = _connect(server)
    sock.settimeout(10)
    for _ in range(2):
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        reply = b""
        while not reply.endswith(b'{"status":"ok"}'):
            chunk = sock.recv(4096)
            assert chunk, reply
            reply += chunk
        assert reply.startswith(b"HTTP/1.1 200"), reply
    sock.close()
