"""The refresh token in a cookie, for browser clients that must not hold it in page scripts.

A client asks for it with `refreshTokenCookie: true`; the token then travels only in an
HttpOnly cookie scoped to `/auth`. A refresh or logout that relies on the cookie is a request a
browser attaches credentials to by itself, so it must prove it comes from the client's own
pages: an `Origin` listed in `TASKFLOW_CORS_ORIGINS` and the `X-TaskFlow-CSRF: 1` header, which
a cross-site form cannot send (a cross-site script cannot either, unless CORS lets it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from server.responses import json_response
from taskflow_core.domain.errors import FieldError, InvalidInput, PermissionDenied
from taskflow_core.serialization import to_json

if TYPE_CHECKING:
    from fastapi import Request, Response

    from taskflow_core.schemas import TokenResponse
    from taskflow_core.settings import Settings

COOKIE = "taskflow_refresh"
COOKIE_PATH = "/auth"
CSRF_HEADER = "X-TaskFlow-CSRF"
CSRF_REFUSED = f"A refresh with the cookie needs an allowed Origin and the header {CSRF_HEADER}: 1"
TOKEN_MISSING = "is required, in the body or (browser clients) as the refresh cookie"  # noqa: S105


def refresh_token_of(request: Request, sent: str | None, settings: Settings) -> tuple[str, bool]:
    """The refresh token a refresh or logout is about, and whether it came from the cookie.

    Raises:
        PermissionDenied: the cookie's request lacks an allowed Origin or the CSRF header.
        InvalidInput: neither the body nor the cookie holds a token.
    """
    if sent is not None:
        return sent, False
    cookie = request.cookies.get(COOKIE)
    if not cookie:
        raise InvalidInput(errors=[FieldError("refreshToken", TOKEN_MISSING)])
    origin = request.headers.get("origin", "").rstrip("/").lower()
    if origin not in settings.cors_origins or request.headers.get(CSRF_HEADER) != "1":
        raise PermissionDenied(CSRF_REFUSED)
    return cookie, True


def tokens_response(
    tokens: TokenResponse, settings: Settings, *, in_cookie: bool, status_code: int = 200
) -> Response:
    """The tokens as JSON; with `in_cookie`, the refresh token as the cookie instead."""
    if not in_cookie or tokens.refresh_token is None:
        return json_response(to_json(tokens), status_code)
    body = to_json(tokens.model_copy(update={"refresh_token": None}))
    response = json_response(body, status_code)
    response.set_cookie(
        COOKIE,
        tokens.refresh_token,
        max_age=settings.refresh_token_ttl,
        path=COOKIE_PATH,
        secure=settings.env != "development",
        httponly=True,
        samesite="strict",
    )
    return response


def clear_cookie(response: Response, settings: Settings) -> None:
    """Tell the browser to forget the refresh cookie (logout)."""
    response.delete_cookie(
        COOKIE,
        path=COOKIE_PATH,
        secure=settings.env != "development",
        httponly=True,
        samesite="strict",
    )
