"""Log format: one line per record, each carrying the request id it belongs to.

What clients send (a path, a query, a header) reaches log messages; a control character in
it must not start a line of its own that reads as another record. The formatter escapes them.
"""

from __future__ import annotations

import logging
import sys
import unicodedata

from server.middleware import request_id_var

# Line and paragraph separators, escapes, bidi overrides, surrogates: anything that is not
# printable text is written as its Python escape (`\n`, `\x1b`, `\u2028`).
_UNPRINTABLE = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def escape_unprintable(text: str) -> str:
    """`text` with every control, format and line-separator character escaped."""
    if text.isprintable() and "\\" not in text:
        return text
    return "".join(
        char.encode("unicode_escape").decode("ascii")
        if char == "\\" or unicodedata.category(char) in _UNPRINTABLE
        else char
        for char in text
    )


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class _EscapingFormatter(logging.Formatter):
    """Escapes the message; indents a traceback so none of its lines starts a record."""

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - overrides
        record.message = escape_unprintable(record.message)
        return super().formatMessage(record)

    def formatException(self, ei: logging._SysExcInfoType) -> str:  # noqa: N802 - overrides
        lines = super().formatException(ei).splitlines()
        return "\n".join("    " + escape_unprintable(line) for line in lines)


def configure_logging(level: str) -> None:
    """Send TaskFlow's logs to stderr; uvicorn's own access log is replaced by ours."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        _EscapingFormatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
    )
    handler.addFilter(_RequestIdFilter())
    logger = logging.getLogger("taskflow")
    logger.handlers[:] = [handler]
    logger.setLevel(level.upper())
    logger.propagate = False
    logging.getLogger("uvicorn.access").disabled = True
