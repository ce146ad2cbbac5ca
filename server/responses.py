"""Response helpers: JSON bytes, problem documents, ETags, and the OpenAPI error entries."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import Response

from taskflow_core.fields import MAX_INT

PROBLEM_MEDIA_TYPE = "application/problem+json"
JSON_MEDIA_TYPE = "application/json"
_VERSION_DIGITS = len(str(MAX_INT))

_DESCRIPTIONS = {
    400: "Malformed JSON, an unreadable query parameter, or a cursor that was tampered with",
    401: "Missing, invalid or expired credentials",
    403: "Your role does not allow this",
    404: "Absent, or not visible to you",
    409: "Conflicts with existing data",
    412: "If-Match does not match the current ETag (a tag that is not one of ours never does)",
    413: "Body larger than the limit",
    422: "Body fails validation; `errors` names each field",
    429: "Rate limited; see Retry-After",
    503: "A required dependency is unavailable",
}


def json_response(
    body: bytes, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """A response whose body is already serialized JSON."""
    return Response(body, status_code=status_code, headers=headers, media_type=JSON_MEDIA_TYPE)


def etag(version: int) -> str:
    return f'"{version}"'


def parse_if_match(header: str | None) -> set[int] | None:
    """The task versions an If-Match header accepts; None for no precondition (or `*`).

    Weak tags are compared by their opaque value, since proxies that compress weaken tags.
    A tag that cannot be one of ours (not ASCII digits, or past a version's integer range)
    matches nothing, so the request fails with 412 rather than slipping by, as any stale tag.
    """
    if header is None or header.strip() == "*":
        return None
    versions: set[int] = set()
    for raw_tag in header.split(","):
        tag = raw_tag.strip().removeprefix("W/").strip('"')
        if tag.isascii() and tag.isdigit() and len(tag) <= _VERSION_DIGITS:
            version = int(tag)
            if version <= MAX_INT:
                versions.add(version)
    return versions


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problem+json errors a route can answer with."""
    return {
        status: {
            "description": _DESCRIPTIONS.get(status, HTTPStatus(status).phrase),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }
