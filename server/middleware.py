"""Pure ASGI middleware: request ids, the access log, the last-resort 500, and the body limit.

Plain ASGI callables rather than BaseHTTPMiddleware: no extra task or stream per request.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from contextvars import ContextVar
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode

from opentelemetry import trace
from starlette.exceptions import HTTPException

from server.errors import INTERNAL_ERROR, problem
from taskflow_core.adapters.ratelimit import RateLimitDecision

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

access_log = logging.getLogger("taskflow.access")
log = logging.getLogger("taskflow.server")

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
# Public, versioned with the package: the documentation may be cached; nothing else may.
_CACHEABLE_PREFIXES = ("/docs", "/redoc", "/openapi.json")
REQUEST_ID_ATTRIBUTE = "taskflow.request_id"
PRIVATE_QUERY_PARAMETERS = frozenset({"search"})
REDACTED = "REDACTED"
_NOSNIFF = (b"x-content-type-options", b"nosniff")
_NO_STORE = (b"cache-control", b"no-store")


class RequestContextMiddleware:
    """Assigns `X-Request-ID`, adds rate-limit and security headers, logs one line per request.

    Every response gets `X-Content-Type-Options: nosniff`, and every one but the docs' (see
    `_CACHEABLE_PREFIXES`) `Cache-Control: no-store` unless the route set its own.

    It also answers any exception that got this far with a bare 500 problem, so no stack
    trace, SQL or path ever reaches a client.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        span = trace.get_current_span()
        if span.is_recording():
            _describe_span(span, request_id, scope.get("query_string", b""))
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500
        response_started = False
        no_store = not scope["path"].startswith(_CACHEABLE_PREFIXES)

        async def send_with_headers(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                headers.append(_NOSNIFF)
                if no_store and not any(key == b"cache-control" for key, _ in headers):
                    headers.append(_NO_STORE)
                headers.extend(_rate_limit_headers(state))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            log.exception("unhandled error")
            if response_started:
                raise
            await problem(scope, 500, INTERNAL_ERROR)(scope, receive, send_with_headers)
        finally:
            access_log.info(
                "user_id=%s method=%s path=%s status=%d duration_ms=%.1f",
                state.get("user_id", "-"),
                scope["method"],
                scope["path"],
                status,
                (time.perf_counter() - started) * 1000,
            )
            request_id_var.reset(token)


class BodyTooLarge(HTTPException):
    """Raised while a streamed body is read; the app's HTTP error handler answers 413."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"Request body is larger than {max_bytes} bytes")


class BodySizeLimitMiddleware:
    """Refuses bodies over `max_bytes` with 413, whether declared up front or streamed."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            detail = BodyTooLarge(self.max_bytes).detail
            await problem(scope, 413, detail)(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        await self.app(scope, counting_receive, send)


def _request_id(scope: Scope) -> str:
    supplied = _header(scope, b"x-request-id")
    if supplied and _SANE_REQUEST_ID.match(supplied):
        return supplied
    return str(uuid.uuid4())


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _describe_span(span: trace.Span, request_id: str, query: bytes) -> None:
    """The request's span (traces on): its request id, and its query without what a user
    typed (FastAPI records the query string; a search is a person's words)."""
    span.set_attribute(REQUEST_ID_ATTRIBUTE, request_id)
    if any(f"{name}=".encode() in query for name in PRIVATE_QUERY_PARAMETERS):
        pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
        span.set_attribute(
            "url.query",
            urlencode([(k, REDACTED if k in PRIVATE_QUERY_PARAMETERS else v) for k, v in pairs]),
        )


def _rate_limit_headers(state: dict[str, object]) -> list[tuple[bytes, bytes]]:
    decision = state.get("rate_limit")
    if not isinstance(decision, RateLimitDecision):
        return []
    return [
        (b"ratelimit-limit", b"%d" % decision.limit),
        (b"ratelimit-remaining", b"%d" % decision.remaining),
        (b"ratelimit-reset", b"%d" % decision.reset_seconds),
    ]
