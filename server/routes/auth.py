"""Authentication routes: register, login, refresh, logout, me."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Request, Response, status

from server.deps import AuthDep, CallerDep, ClientDep, SettingsDep, UsersDep
from server.refresh_cookie import clear_cookie, refresh_token_of, tokens_response
from server.responses import json_response, problem_responses
from taskflow_core.schemas import (
    LoginRequest,
    LogoutRequest,
    RefreshRequest,
    RegisterRequest,
    TokenResponse,
    UserOut,
)
from taskflow_core.serialization import to_json

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    response_model=TokenResponse,
    responses=problem_responses(400, 409, 413, 422, 429),
)
async def register(
    data: RegisterRequest, _client: ClientDep, auth: AuthDep, settings: SettingsDep
) -> Response:
    """Create an account and log it in."""
    tokens = await auth.register(data)
    return tokens_response(
        tokens, settings, in_cookie=data.refresh_token_cookie, status_code=status.HTTP_201_CREATED
    )


@router.post(
    "/login", response_model=TokenResponse, responses=problem_responses(400, 401, 422, 429)
)
async def login(
    data: LoginRequest, client: ClientDep, auth: AuthDep, settings: SettingsDep
) -> Response:
    """Exchange email and password for an access token and a refresh token."""
    tokens = await auth.login(data, client=client)
    return tokens_response(tokens, settings, in_cookie=data.refresh_token_cookie)


@router.post(
    "/refresh", response_model=TokenResponse, responses=problem_responses(400, 401, 403, 422, 429)
)
async def refresh(
    request: Request,
    _client: ClientDep,
    auth: AuthDep,
    settings: SettingsDep,
    data: Annotated[RefreshRequest, Body(default_factory=RefreshRequest)],
) -> Response:
    """Trade a refresh token for a new pair; each refresh token works once. A token read from
    the cookie is answered with the new one in the cookie."""
    token, from_cookie = refresh_token_of(request, data.refresh_token, settings)
    tokens = await auth.refresh(token)
    return tokens_response(tokens, settings, in_cookie=data.refresh_token_cookie or from_cookie)


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(400, 403, 422, 429),
)
async def logout(
    request: Request,
    _client: ClientDep,
    auth: AuthDep,
    settings: SettingsDep,
    data: Annotated[LogoutRequest, Body(default_factory=LogoutRequest)],
) -> Response:
    """End the refresh token's session (this login on this device), access tokens included;
    the refresh cookie, if it was used, is cleared."""
    token, from_cookie = refresh_token_of(request, data.refresh_token, settings)
    await auth.logout(token)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    if from_cookie:
        clear_cookie(response, settings)
    return response


@router.get("/me", response_model=UserOut, responses=problem_responses(401, 429))
async def me(caller: CallerDep, users: UsersDep) -> Response:
    """The account the access token belongs to."""
    return json_response(to_json(await users.get(caller, caller.user_id)))
