"""A small HTTP/1.1 client on the standard library's `socket`, for the CLI and the TUI.

What the TaskFlow API needs and no more: small JSON requests and whole JSON answers,
keep-alive connections reused within a process (safe to share between threads), timeouts,
https (`ssl` is imported only for an https URL) and the usual proxy variables. It exists
because `http.client` (which loads the `email` package) and httpx cost more start-up time
than a command spends talking to a local server.
"""

from __future__ import annotations

import _thread
import json
import select
import socket

from taskflow_cli.proxies import proxy_for, tunnel
from taskflow_cli.urls import Url, quote

TYPE_CHECKING = False
if TYPE_CHECKING:
    import ssl
    from collections.abc import Iterable, Mapping
    from typing import Any

Origin = tuple[str, str, int]
DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_IDLE = 4
MAX_LINE = 65536
MAX_HEADERS = 100
# Retrying these after a dropped connection cannot apply a change twice.
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


class TransportError(Exception):
    """No usable HTTP answer: the connection failed, timed out or broke mid-answer."""

    def __init__(self, reason: str, *, timed_out: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.timed_out = timed_out


class Response:
    """A whole HTTP answer: status, headers (names lower-cased) and body."""

    __slots__ = ("body", "headers", "keeps_alive", "reason", "status")

    def __init__(
        self, status: int, reason: str, headers: dict[str, str], body: bytes, *, keeps_alive: bool
    ) -> None:
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body
        # Whether the connection may carry the next request.
        self.keeps_alive = keeps_alive

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json(self) -> Any:
        """The body as JSON; ValueError when it is not."""
        return json.loads(self.body)


class HttpClient:
    """Requests to one base URL (`https://host:port/prefix`), over kept-alive connections."""

    def __init__(self, base_url: str, *, timeout: float = 15.0, connect_timeout: float = 5.0):
        parts = Url(base_url)
        scheme = parts.scheme
        if scheme not in DEFAULT_PORTS:
            raise ValueError(f"not an http(s) URL: {base_url!r}")
        self.origin: Origin = (scheme, parts.host, parts.port or DEFAULT_PORTS[scheme])
        self._prefix = parts.path.rstrip("/")
        self._host_header = parts.netloc
        self._timeout = timeout
        self._connect_timeout = min(connect_timeout, timeout)
        self._proxy = proxy_for(scheme, parts.host)
        self._idle: list[_Connection] = []
        self._lock = _thread.allocate_lock()
        self._ssl_context: ssl.SSLContext | None = None

    def request(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, Any] | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """Send `method path?query` with `body` as JSON (unless None) and read the answer.

        Raises:
            TransportError: no answer could be read; idempotent methods are tried twice.
        """
        target = self._prefix + path + _query_string(query)
        payload = b"" if body is None else json.dumps(body).encode()
        head = self._head(method, target, payload, body is not None, headers or {})
        retried = False
        while True:
            connection = self._take_idle()
            reused = connection is not None
            try:
                if connection is None:
                    connection = self._connect()
                response = connection.exchange(head + payload, method)
            except TransportError:
                if connection is None:
                    if method in IDEMPOTENT and not retried:
                        retried = True
                        continue
                    raise
                connection.close()
                # A kept-alive connection the server closed just before this request went
                # out: the request never reached it, so any method may go again.
                if reused and not connection.sent:
                    continue
                if method in IDEMPOTENT and not retried:
                    retried = True
                    continue
                raise
            if response.keeps_alive:
                self._keep(connection)
            else:
                connection.close()
            return response

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()

    def _head(
        self, method: str, target: str, payload: bytes, has_body: bool, extra: Mapping[str, str]
    ) -> bytes:
        scheme = self.origin[0]
        if self._proxy is not None and scheme == "http":
            target = f"http://{self._host_header}{target}"  # absolute form, through the proxy
        lines = [f"{method} {target} HTTP/1.1", f"Host: {self._host_header}"]
        names = {name.lower() for name in extra}
        defaults = {"accept": "application/json", "user-agent": "taskflow-cli"}
        lines += [f"{name}: {value}" for name, value in defaults.items() if name not in names]
        if has_body:
            lines.append("Content-Type: application/json")
        if has_body or method in ("POST", "PUT", "PATCH"):
            lines.append(f"Content-Length: {len(payload)}")
        if self._proxy is not None and self._proxy.authorization and scheme == "http":
            lines.append(f"Proxy-Authorization: {self._proxy.authorization}")
        for name, value in extra.items():
            if "\r" in value or "\n" in value or "\r" in name or "\n" in name:
                raise ValueError(f"header {name!r} holds a line break")
            lines.append(f"{name}: {value}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def _take_idle(self) -> _Connection | None:
        while True:
            with self._lock:
                if not self._idle:
                    return None
                connection = self._idle.pop()
            if connection.still_open():
                return connection
            connection.close()

    def _keep(self, connection: _Connection) -> None:
        with self._lock:
            if len(self._idle) < MAX_IDLE:
                self._idle.append(connection)
                return
        connection.close()

    def _connect(self) -> _Connection:
        scheme, host, port = self.origin
        name, number = (self._proxy.host, self._proxy.port) if self._proxy else (host, port)
        try:
            # An ASCII name as bytes: a str would be IDNA-encoded first, which loads the
            # `idna` codec on every command. (getaddrinfo takes bytes; the stub says str.)
            address = (name.encode() if name.isascii() else name, number)
            sock = socket.create_connection(address, timeout=self._connect_timeout)  # type: ignore[arg-type]
        except TimeoutError as error:
            raise TransportError("it did not answer in time", timed_out=True) from error
        except OSError as error:
            raise TransportError(_reason(error)) from error
        try:
            sock.settimeout(self._timeout)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if scheme == "https":
                if self._proxy is not None:
                    tunnel(sock, host, port, self._proxy)
                sock = self._tls().wrap_socket(sock, server_hostname=host)
        except TimeoutError as error:
            sock.close()
            raise TransportError("it did not answer in time", timed_out=True) from error
        except OSError as error:
            sock.close()
            raise TransportError(_reason(error)) from error
        return _Connection(sock)

    def _tls(self) -> ssl.SSLContext:
        if self._ssl_context is None:
            import ssl

            # The system's certificate authorities (or SSL_CERT_FILE / SSL_CERT_DIR).
            self._ssl_context = ssl.create_default_context()
        return self._ssl_context


class _Connection:
    """One socket and its buffered reader."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._reader = sock.makefile("rb")
        # Whether the latest request went out whole.
        self.sent = False

    def exchange(self, request: bytes, method: str) -> Response:
        self.sent = False
        try:
            self._sock.sendall(request)
            self.sent = True
            status_line = self._reader.readline(MAX_LINE)
            if not status_line:
                raise TransportError("the server closed the connection without answering")
            return self._read_answer(status_line, method)
        except TimeoutError as error:
            raise TransportError("it did not answer in time", timed_out=True) from error
        except OSError as error:
            raise TransportError(_reason(error)) from error

    def still_open(self) -> bool:
        """False when the server has closed an idle connection (it reads as ready, at EOF)."""
        try:
            readable, _, _ = select.select([self._sock], [], [], 0)
        except (OSError, ValueError):
            return False
        return not readable

    def close(self) -> None:
        self._reader.close()
        self._sock.close()

    def _read_answer(self, status_line: bytes, method: str) -> Response:
        version, _, rest = status_line.decode("latin-1").strip().partition(" ")
        code, _, reason = rest.partition(" ")
        if not version.startswith("HTTP/1.") or not code.isdigit():
            raise TransportError("the answer is not HTTP/1.1; is it a TaskFlow server?")
        status = int(code)
        headers = read_headers(self._reader)
        connection = headers.get("connection", "").lower()
        keeps_alive = connection != "close" and (
            version != "HTTP/1.0" or connection == "keep-alive"
        )
        if status < 200:  # 100 Continue and friends: the real answer follows
            return self._read_answer(self._reader.readline(MAX_LINE), method)
        if method == "HEAD" or status in (204, 304):
            body = b""
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body = self._read_chunked()
        elif "content-length" in headers:
            body = self._read_exactly(_length(headers["content-length"]))
        else:
            body = self._reader.read()
            keeps_alive = False
        return Response(status, reason, headers, body, keeps_alive=keeps_alive)

    def _read_exactly(self, size: int) -> bytes:
        body = self._reader.read(size)
        if len(body) != size:
            raise TransportError("the server closed the connection mid-answer")
        return body

    def _read_chunked(self) -> bytes:
        parts: list[bytes] = []
        while True:
            line = self._reader.readline(MAX_LINE).split(b";", 1)[0].strip()
            try:
                size = int(line, 16)
            except ValueError:
                raise TransportError("a malformed chunked answer") from None
            if size == 0:
                read_headers(self._reader)  # trailers, then the blank line
                return b"".join(parts)
            parts.append(self._read_exactly(size))
            self._read_exactly(2)  # the CRLF after each chunk


def read_headers(reader: Any) -> dict[str, str]:
    headers: dict[str, str] = {}
    for _ in range(MAX_HEADERS):
        line = reader.readline(MAX_LINE)
        if line in (b"\r\n", b"\n", b""):
            return headers
        name, _, value = line.decode("latin-1").partition(":")
        key = name.strip().lower()
        value = value.strip()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    raise TransportError("too many header lines in the answer")


def _length(text: str) -> int:
    if not text.strip().isdigit():
        raise TransportError(f"a malformed Content-Length ({text!r})")
    return int(text)


def _query_string(query: Mapping[str, Any] | None) -> str:
    """`?a=1&b=x&b=y` for the values that are set; lists repeat their parameter."""
    if not query:
        return ""
    pairs = [
        f"{quote(key)}={quote(str(item))}"
        for key, value in query.items()
        for item in (_listed(value))
        if item is not None
    ]
    return "?" + "&".join(pairs) if pairs else ""


def _listed(value: Any) -> Iterable[Any]:
    return value if isinstance(value, list | tuple) else (value,)


def _reason(error: OSError) -> str:
    return error.strerror or str(error) or type(error).__name__
