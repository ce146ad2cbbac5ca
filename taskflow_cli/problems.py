"""Turn the server's problem+json answers back into the core's domain errors."""

from __future__ import annotations

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

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from taskflow_cli.http import Response

_BY_STATUS: dict[int, type[TaskflowError]] = {
    400: BadRequest,
    401: AuthenticationFailed,
    403: PermissionDenied,
    404: NotFound,
    409: Conflict,
    412: PreconditionFailed,
    413: BadRequest,
    503: ServiceUnavailable,
}


def error_from_response(response: Response) -> TaskflowError:
    """The domain error a 4xx/5xx response stands for, carrying the server's `detail`."""
    body = _problem_body(response)
    status = response.status
    detail = body.get("detail") if isinstance(body.get("detail"), str) else None
    if status == 422:
        return InvalidInput(detail, errors=_field_errors(body.get("errors")))
    if status == 429:
        return RateLimited(_retry_after(response), detail)
    if status in _BY_STATUS:
        return _BY_STATUS[status](detail)
    request_id = body.get("requestId") or response.headers.get("x-request-id")
    reason = detail or response.reason or "error"
    suffix = f" (request id {request_id})" if request_id else ""
    return TaskflowError(f"The server answered {status}: {reason}{suffix}")


def _problem_body(response: Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _field_errors(raw: object) -> list[FieldError]:
    if not isinstance(raw, list):
        return []
    return [
        FieldError(str(item.get("field", "")), str(item.get("message", "")))
        for item in raw
        if isinstance(item, dict)
    ]


def _retry_after(response: Response) -> int:
    try:
        return max(1, int(response.headers.get("retry-after", "1")))
    except ValueError:
        return 1
