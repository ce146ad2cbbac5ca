"""URLs the CLI takes apart: a server's or a proxy's, and the parts of a query string.

`urllib.parse` would do, but it (and the `ipaddress` module it loads) costs every command
more start-up time than all of this; these take exactly the URLs a server or proxy has.
"""

from __future__ import annotations

import re

_URL = re.compile(
    r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://"
    r"(?:(?P<user>[^@/?#]*)@)?"
    r"(?:\[(?P<ipv6>[0-9A-Fa-f:.]+)\]|(?P<host>[^:/?#\[\]@]+))"
    r"(?::(?P<port>[0-9]*))?"
    r"(?P<path>/[^?#]*)?"
    r"(?P<rest>[?#].*)?"
)
_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~")


class Url:
    """A URL's parts: scheme and host lower-cased, the port (None: the scheme's)."""

    __slots__ = ("host", "password", "path", "port", "rest", "scheme", "user")

    def __init__(self, text: str) -> None:
        """Raises ValueError for what is not `scheme://[user[:password]@]host[:port][/path]`."""
        match = _URL.fullmatch(text)
        if match is None:
            raise ValueError(f"not a URL: {text!r}")
        self.scheme = match["scheme"].lower()
        user, _, password = (match["user"] or "").partition(":")
        self.user = unquote(user) if match["user"] is not None else None
        self.password = unquote(password) if match["user"] is not None else None
        self.host = (match["ipv6"] or match["host"]).lower()
        port = match["port"]
        if port is not None and not (port.isdigit() and 0 < int(port) < 65536):
            raise ValueError(f"not a port: {port!r}")
        self.port = int(port) if port else None
        self.path = match["path"] or ""
        self.rest = match["rest"] or ""

    @property
    def netloc(self) -> str:
        """`host[:port]` as a Host header writes it (an IPv6 address in brackets)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port is None else f"{host}:{self.port}"


def quote(text: str) -> str:
    """Percent-encode everything but unreserved characters (RFC 3986), as UTF-8."""
    raw = text.encode("utf-8", "surrogatepass")
    return "".join(chr(byte) if byte in _SAFE else f"%{byte:02X}" for byte in raw)


def unquote(text: str) -> str:
    """Undo percent-encoding (UTF-8); malformed escapes stay as they are."""
    if "%" not in text:
        return text
    raw = re.sub(rb"%([0-9A-Fa-f]{2})", lambda match: bytes([int(match[1], 16)]), text.encode())
    return raw.decode(errors="replace")
