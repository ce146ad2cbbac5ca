"""The proxy a request goes through, as the usual environment variables name it.

`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` (in either case) as curl reads
them; only `http://` proxies. Plain http goes to the proxy as an absolute-form request;
https goes through a `CONNECT` tunnel, so TLS runs end to end with the server.
"""

from __future__ import annotations

import os

from taskflow_cli.urls import Url

TYPE_CHECKING = False
if TYPE_CHECKING:
    import socket


class Proxy:
    __slots__ = ("authorization", "host", "port")

    def __init__(self, host: str, port: int, authorization: str | None) -> None:
        self.host = host
        self.port = port
        self.authorization = authorization


def proxy_for(scheme: str, host: str) -> Proxy | None:
    """The proxy `HTTPS_PROXY` / `HTTP_PROXY` / `ALL_PROXY` names for this URL, unless
    `NO_PROXY` exempts the host (as curl reads them)."""
    url = _env(f"{scheme}_proxy") or _env("all_proxy")
    if not url or _bypassed(host, _env("no_proxy") or ""):
        return None
    parts = Url(url if "://" in url else f"http://{url}")
    if parts.scheme != "http":
        raise ValueError(f"unsupported proxy {url!r}: only http:// proxies are")
    authorization = None
    if parts.user is not None:
        import base64

        secret = f"{parts.user}:{parts.password or ''}".encode()
        authorization = "Basic " + base64.b64encode(secret).decode()
    return Proxy(parts.host, parts.port or 80, authorization)


def _env(name: str) -> str | None:
    value = os.environ.get(name)
    # Under CGI, HTTP_PROXY is a request header the client chose (httpoxy): not ours.
    if value is None and not (name == "http_proxy" and "REQUEST_METHOD" in os.environ):
        value = os.environ.get(name.upper())
    return value


def _bypassed(host: str, no_proxy: str) -> bool:
    """Whether `host` matches NO_PROXY: `*`, a name (and its subdomains) or an address,
    each with an optional port."""
    host = host.lower()
    for entry in no_proxy.lower().split(","):
        name = entry.strip().lstrip(".")
        if name == "*":
            return True
        if name.startswith("["):
            name = name[1 : name.find("]")]
        elif name.count(":") == 1:
            name = name.partition(":")[0]
        if name and (host == name or host.endswith("." + name)):
            return True
    return False


def tunnel(sock: socket.socket, host: str, port: int, proxy: Proxy) -> None:
    """Ask the proxy for a tunnel to host:port (CONNECT), for TLS end to end."""
    lines = [f"CONNECT {host}:{port} HTTP/1.1", f"Host: {host}:{port}"]
    if proxy.authorization:
        lines.append(f"Proxy-Authorization: {proxy.authorization}")
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
    from taskflow_cli.http import MAX_LINE, TransportError, read_headers

    reader = sock.makefile("rb")
    try:
        status = reader.readline(MAX_LINE).decode("latin-1").split(" ", 2)
        read_headers(reader)
    finally:
        reader.close()
    if len(status) < 2 or status[1] != "200":
        answer = " ".join(status[1:]).strip() or "no answer"
        raise TransportError(f"the proxy {proxy.host}:{proxy.port} refused the tunnel ({answer})")
