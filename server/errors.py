"""The one place that turns errors into RFC 9457 problem responses."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response

from server.responses import PROBLEM_MEDIA_TYPE
from taskflow_core.adapters.database import ConstraintViolation
from taskflow_core.domain.errors import (
    AuthenticationFailed,
    BadRequest,
    Conflict,
    FieldError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    PreconditionFailed,
    RateLimited,
    ServiceUnavailable,
    TaskflowError,
)
from taskflow_core.serialization import to_json

if TYPE_CHECKING:
    from collections.abc import MutableMapping

    from fastapi import FastAPI

log = logging.getLogger("taskflow.server")

_STATUS: dict[type[TaskflowError], int] = {
    BadRequest: 400,
    AuthenticationFailed: 401,
    PermissionDenied: 403,
    NotFound: 404,
    Conflict: 409,
    PreconditionFailed: 412,
    InvalidInput: 422,
    RateLimited: 429,
    ServiceUnavailable: 503,
}
# Pydantic error types that mean "could not read the value at all" rather than "read it,
# but it breaks a rule": in a query string these are a malformed request (400).
_PARSE_ERRORS = ("_parsing", "_type", "json_invalid", "enum", "literal_error", "missing")
INTERNAL_ERROR = "Internal server error"
RETRY_UNAVAILABLE_SECONDS = 5


def problem(
    request_or_scope: Request | MutableMapping[str, Any],
    status: int,
    detail: str,
    *,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """A problem+json response carrying the request's id."""
    scope = request_or_scope.scope if isinstance(request_or_scope, Request) else request_or_scope
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": scope.get("path"),
        "requestId": scope.get("state", {}).get("request_id"),
    }
    if errors:
        body["errors"] = [{"field": e.field, "message": e.message} for e in errors]
    return Response(
        to_json(body), status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE
    )


def install_error_handlers(app: FastAPI) -> None:
    """Register every mapping from exception to problem response."""
    app.add_exception_handler(TaskflowError, _domain_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    # An operation handles the constraints it expects (an email taken); one it did not
    # expect is a race with another request's change, which the client may retry.
    app.add_exception_handler(ConstraintViolation, _constraint_violated)


async def _domain_error(request: Request, error: TaskflowError) -> Response:
    status = next(code for kind, code in _STATUS.items() if isinstance(error, kind))
    headers: dict[str, str] = {}
    if isinstance(error, AuthenticationFailed):
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(error, RateLimited):
        headers["Retry-After"] = str(error.retry_after)
    if isinstance(error, ServiceUnavailable):
        headers["Retry-After"] = str(RETRY_UNAVAILABLE_SECONDS)
    errors = error.errors if isinstance(error, InvalidInput | BadRequest | Conflict) else None
    return problem(request, status, error.detail, errors=errors, headers=headers)


async def _validation_error(request: Request, error: RequestValidationError) -> Response:
    details = list(error.errors())
    if any(item["loc"][:1] == ("path",) for item in details):
        # /tasks/not-a-uuid names no resource that could exist.
        return problem(request, 404, "Not found")
    if any(item["type"] == "json_invalid" for item in details):
        return problem(request, 400, "Malformed JSON body")
    errors = [FieldError(_field_name(item), _message(item)) for item in details]
    malformed_query = any(
        item["loc"][:1] == ("query",) and item["type"].endswith(_PARSE_ERRORS) for item in details
    )
    if malformed_query:
        return problem(request, 400, "Malformed query parameter", errors=errors)
    return problem(request, 422, "Validation failed", errors=errors)


async def _http_error(request: Request, error: StarletteHTTPException) -> Response:
    detail = {404: "Not found", 405: "Method not allowed"}.get(error.status_code, error.detail)
    headers = dict(error.headers or {})
    if error.status_code == 405:
        # Starlette names only the first route that matched the path; list them all.
        headers["Allow"] = ", ".join(_allowed_methods(request))
    return problem(request, error.status_code, detail, headers=headers)


def _allowed_methods(request: Request) -> list[str]:
    path = request.url.path
    methods: set[str] = set()
    for route in request.app.state.api_routes:
        if route.path_regex.match(path):
            methods |= route.methods or set()
    return sorted(methods)


async def _constraint_violated(request: Request, error: Exception) -> Response:
    log.warning("unexpected constraint violation: %s", error)
    return problem(request, 409, "Conflicts with a concurrent change; try again")


def _field_name(item: dict[str, Any]) -> str:
    source, *rest = item["loc"]
    # `status=A&status=B` is one parameter to the client, not a list with positions.
    parts = [str(p) for p in rest if not (source == "query" and isinstance(p, int))]
    # A rule between fields (`schemas.field_rule`) names its field in the error's context.
    named = (item.get("ctx") or {}).get("field")
    if isinstance(named, str):
        parts.append(named)
    return ".".join(parts) or str(source)


def _message(item: dict[str, Any]) -> str:
    if item["type"] == "extra_forbidden":
        return "unknown field"
    message = str(item["msg"])
    return message.removeprefix("Value error, ")
