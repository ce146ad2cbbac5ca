"""An httpx transport on the standard library's `http.client`, for the CLI's start-up time.

httpx's own transport imports httpcore and h11 when the first client is built: ~16 ms of
every command, more than a command spends talking to a local server. The CLI and the TUI send
small requests and read each whole JSON answer, which `http.client` does well. httpx stays the
client: its API, timeouts, exceptions and the tests' `MockTransport` are unchanged. Proxies
stay httpx's job too: `ApiClient` keeps httpx's transport whenever a proxy is configured.
"""

from __future__ import annotations

import http.client
import select
import threading
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    import ssl

Origin = tuple[str, str, int]

# Idle keep-alive connections kept per transport; the TUI's workers rarely use more.
MAX_IDLE = 4
DEFAULT_PORTS = {"http": 80, "https": 443}


class StdlibTransport(httpx.BaseTransport):
    """HTTP/1.1 over `http.client`, keeping connections alive; safe to share between threads."""

    def __init__(self) -> None:
        self._idle: list[tuple[Origin, http.client.HTTPConnection]] = []
        self._lock = threading.Lock()
        self._ssl_context: ssl.SSLContext | None = None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        timeouts = request.extensions.get("timeout", {})
        url = request.url
        origin = (url.scheme, url.host, url.port or DEFAULT_PORTS.get(url.scheme, 80))
        connection = self._idle_connection(origin) or self._connect(origin, timeouts)
        try:
            response, body = _exchange(connection, request, timeouts)
        except BaseException:
            connection.close()
            raise
        if response.will_close:
            connection.close()
        else:
            self._keep(origin, connection)
        return httpx.Response(
            response.status,
            headers=response.getheaders(),
            stream=httpx.ByteStream(body),
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": response.reason.encode()},
        )

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for _, connection in idle:
            connection.close()

    def _idle_connection(self, origin: Origin) -> http.client.HTTPConnection | None:
        while True:
            with self._lock:
                found = next((item for item in self._idle if item[0] == origin), None)
                if found is None:
                    return None
                self._idle.remove(found)
            connection = found[1]
            if _still_open(connection):
                return connection
            connection.close()

    def _keep(self, origin: Origin, connection: http.client.HTTPConnection) -> None:
        with self._lock:
            if len(self._idle) < MAX_IDLE:
                self._idle.append((origin, connection))
                return
        connection.close()

    def _connect(self, origin: Origin, timeouts: dict[str, float]) -> http.client.HTTPConnection:
        scheme, host, port = origin
        timeout = timeouts.get("connect")
        connection: http.client.HTTPConnection
        if scheme == "https":
            if self._ssl_context is None:
                # Built on first use: plain-http servers never pay for the CA bundle.
                self._ssl_context = httpx.create_ssl_context()
            connection = http.client.HTTPSConnection(
                host, port, timeout=timeout, context=self._ssl_context
            )
        elif scheme == "http":
            connection = http.client.HTTPConnection(host, port, timeout=timeout)
        else:
            raise httpx.UnsupportedProtocol(f"Unsupported URL scheme {scheme!r}")
        try:
            connection.connect()
        except TimeoutError as error:
            connection.close()
            raise httpx.ConnectTimeout(str(error) or "connect timed out") from error
        except OSError as error:
            connection.close()
            raise httpx.ConnectError(str(error)) from error
        return connection


def _exchange(
    connection: http.client.HTTPConnection, request: httpx.Request, timeouts: dict[str, float]
) -> tuple[http.client.HTTPResponse, bytes]:
    """Send `request` and read the whole answer, raising httpx's exceptions."""
    assert connection.sock is not None
    body = request.read()
    try:
        connection.sock.settimeout(timeouts.get("write"))
        # httpx has already set Host, Accept-Encoding and Content-Length.
        connection.putrequest(
            request.method,
            request.url.raw_path.decode("ascii"),
            skip_host=True,
            skip_accept_encoding=True,
        )
        for name, value in request.headers.raw:
            connection.putheader(name.decode("latin-1"), value)
        connection.endheaders(body or None)
    except TimeoutError as error:
        raise httpx.WriteTimeout(str(error) or "write timed out") from error
    except OSError as error:
        raise httpx.WriteError(str(error)) from error
    try:
        connection.sock.settimeout(timeouts.get("read"))
        response = connection.getresponse()
        return response, response.read()
    except TimeoutError as error:
        raise httpx.ReadTimeout(str(error) or "read timed out") from error
    except http.client.HTTPException as error:
        # A dropped connection or an answer that is not HTTP/1.1.
        raise httpx.RemoteProtocolError(str(error) or type(error).__name__) from error
    except OSError as error:
        raise httpx.ReadError(str(error)) from error


def _still_open(connection: http.client.HTTPConnection) -> bool:
    """False when the server has closed an idle connection (it reads as ready, with EOF)."""
    sock = connection.sock
    if sock is None:
        return False
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return False
    return not readable
