"""Authentication routes: register, login, refresh, logout, me."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from server.deps import ActorDep, AuthRateLimitDep, RuntimeDep, SessionDep
from server.responses import NO_STORE, json_response, problem_responses
from taskflow_core.schemas import (
    LoginRequest,
    RefreshRequest,
    RegisterRequest,
    TokenResponse,
    UserOut,
)
from taskflow_core.serialization import to_json
from taskflow_core.services import auth, users

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    response_model=TokenResponse,
    responses=problem_responses(400, 409, 413, 422, 429),
)
def register(
    data: RegisterRequest, session: SessionDep, runtime: RuntimeDep, limit: AuthRateLimitDep
) -> Response:
    """Create an account and log it in."""
    limit.check(email=data.email)
    tokens = auth.register(session, security=runtime.security, data=data)
    return json_response(to_json(tokens), status.HTTP_201_CREATED, headers=NO_STORE)


@router.post(
    "/login", response_model=TokenResponse, responses=problem_responses(400, 401, 422, 429)
)
def login(
    data: LoginRequest, session: SessionDep, runtime: RuntimeDep, limit: AuthRateLimitDep
) -> Response:
    """Exchange email and password for an access token and a refresh token."""
    limit.check(email=data.email)
    tokens = auth.login(session, security=runtime.security, data=data)
    return json_response(to_json(tokens), headers=NO_STORE)


@router.post(
    "/refresh", response_model=TokenResponse, responses=problem_responses(400, 401, 422, 429)
)
def refresh(
    data: RefreshRequest, session: SessionDep, runtime: RuntimeDep, limit: AuthRateLimitDep
) -> Response:
    """Trade a refresh token for a new pair; each refresh token works once."""
    limit.check()
    tokens = auth.refresh(session, security=runtime.security, refresh_token=data.refresh_token)
    return json_response(to_json(tokens), headers=NO_STORE)


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(400, 422, 429),
)
def logout(data: RefreshRequest, session: SessionDep, limit: AuthRateLimitDep) -> Response:
    """Revoke the refresh token's whole family (this login on this device)."""
    limit.check()
    auth.logout(session, refresh_token=data.refresh_token)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me", response_model=UserOut, responses=problem_responses(401, 429))
def me(session: SessionDep, actor: ActorDep) -> Response:
    """The account the access token belongs to."""
    return json_response(to_json(users.get_user(session, actor=actor, user_id=actor.user_id)))
