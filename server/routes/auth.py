"""Authentication routes: register, login, refresh, logout, me."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from server.deps import AuthDep, CallerDep, ClientDep, UsersDep
from server.responses import json_response, problem_responses
from taskflow_core.schemas import (
    LoginRequest,
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
async def register(data: RegisterRequest, _client: ClientDep, auth: AuthDep) -> Response:
    """Create an account and log it in."""
    tokens = await auth.register(data)
    return json_response(to_json(tokens), status.HTTP_201_CREATED)


@router.post(
    "/login", response_model=TokenResponse, responses=problem_responses(400, 401, 422, 429)
)
async def login(data: LoginRequest, client: ClientDep, auth: AuthDep) -> Response:
    """Exchange email and password for an access token and a refresh token."""
    tokens = await auth.login(data, client=client)
    return json_response(to_json(tokens))


@router.post(
    "/refresh", response_model=TokenResponse, responses=problem_responses(400, 401, 422, 429)
)
async def refresh(data: RefreshRequest, _client: ClientDep, auth: AuthDep) -> Response:
    """Trade a refresh token for a new pair; each refresh token works once."""
    tokens = await auth.refresh(data.refresh_token)
    return json_response(to_json(tokens))


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(400, 422, 429),
)
async def logout(data: RefreshRequest, _client: ClientDep, auth: AuthDep) -> Response:
    """End the refresh token's session (this login on this device), access tokens included."""
    await auth.logout(data.refresh_token)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me", response_model=UserOut, responses=problem_responses(401, 429))
async def me(caller: CallerDep, users: UsersDep) -> Response:
    """The account the access token belongs to."""
    return json_response(to_json(await users.get(caller, caller.user_id)))
