"""`serve`: run the API under uvicorn, with bounds on how slowly a client may send a request.

uvicorn times out only idle keep-alive connections: a client that sends one header line
every few seconds (or a body a byte at a time) holds its connection, and a worker's slot,
for as long as it likes. `BoundedHttpToolsProtocol` gives each request head `HEAD_TIMEOUT`
seconds from its first byte (or from the connection's start) and its body `BODY_TIMEOUT`
seconds after the head, then drops the connection.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import TYPE_CHECKING

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

if TYPE_CHECKING:
    import asyncio

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
HEAD_TIMEOUT = 10.0
BODY_TIMEOUT = 20.0


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline on reading each request's head and body."""

    head_timeout = HEAD_TIMEOUT
    body_timeout = BODY_TIMEOUT
    _read_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm(self.head_timeout)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm(self.head_timeout)

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        self._arm(self.body_timeout)

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._disarm()

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._read_deadline = self.loop.call_later(seconds, self._too_slow)

    def _disarm(self) -> None:
        if self._read_deadline is not None:
            self._read_deadline.cancel()
            self._read_deadline = None

    def _too_slow(self) -> None:
        self._read_deadline = None
        if not self.transport.is_closing():
            self.logger.info("Dropped a client too slow to send its request.")
            self.transport.close()


def serve(
    host: str, port: int, *, workers: int = 1, log_level: str = "info", shared_metrics: bool = False
) -> None:
    """Serve `server.app:create_server_app` until interrupted (blocks).

    With `shared_metrics`, the worker processes get a fresh directory to keep their metrics
    in (`server.metrics`), removed when the server stops; one the operator named in
    `PROMETHEUS_MULTIPROC_DIR` is used as it is.
    """
    made = None
    if shared_metrics and not os.environ.get(MULTIPROCESS_DIR):
        # Set before any worker imports prometheus_client, which reads it at import.
        made = tempfile.mkdtemp(prefix="taskflow-metrics-")
        os.environ[MULTIPROCESS_DIR] = made
    try:
        _run(host, port, workers=workers, log_level=log_level)
    finally:
        if made is not None:
            shutil.rmtree(made, ignore_errors=True)


def _run(host: str, port: int, *, workers: int, log_level: str) -> None:
    uvicorn.run(
        "server.app:create_server_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        http=BoundedHttpToolsProtocol,
        access_log=False,
        # Client addresses are ours to work out (TASKFLOW_TRUSTED_PROXIES); uvicorn would
        # otherwise believe X-Forwarded-For from any local peer.
        proxy_headers=False,
        server_header=False,
        # The API has no WebSocket routes; uvicorn would otherwise load a WebSocket
        # implementation into every worker.
        ws="none",
        log_level=log_level,
    )
