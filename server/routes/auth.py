"""Authentication routes: register, login, refresh, logout, me."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Response, status

from server.deps import DbDep, PublicDbDep
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

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    response_model=TokenResponse,
    responses=problem_responses(400, 409, 413, 422, 429),
)
async def register(data: RegisterRequest, db: PublicDbDep) -> Response:
    """Create an account and log it in."""

    def work(session: Session) -> TokenResponse:
        db.check_auth_rate(email=data.email)
        return auth.register(session, security=db.runtime.security, data=data)

    tokens = await db.as_anyone(work)
    return json_response(to_json(tokens), status.HTTP_201_CREATED, headers=NO_STORE)


@router.post(
    "/login", response_model=TokenResponse, responses=problem_responses(400, 401, 422, 429)
)
async def login(data: LoginRequest, db: PublicDbDep) -> Response:
    """Exchange email and password for an access token and a refresh token."""

    def work(session: Session) -> TokenResponse:
        db.check_auth_rate(email=data.email)
        return auth.login(session, security=db.runtime.security, data=data)

    tokens = await db.as_anyone(work)
    return json_response(to_json(tokens), headers=NO_STORE)


@router.post(
    "/refresh", response_model=TokenResponse, responses=problem_responses(400, 401, 422, 429)
)
async def refresh(data: RefreshRequest, db: PublicDbDep) -> Response:
    """Trade a refresh token for a new pair; each refresh token works once."""

    def work(session: Session) -> TokenResponse:
        db.check_auth_rate()
        return auth.refresh(session, security=db.runtime.security, refresh_token=data.refresh_token)

    tokens = await db.as_anyone(work)
    return json_response(to_json(tokens), headers=NO_STORE)


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(400, 422, 429),
)
async def logout(data: RefreshRequest, db: PublicDbDep) -> Response:
    """Revoke the refresh token's whole family (this login on this device)."""

    def work(session: Session) -> None:
        db.check_auth_rate()
        auth.logout(session, refresh_token=data.refresh_token)

    await db.as_anyone(work)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me", response_model=UserOut, responses=problem_responses(401, 429))
async def me(db: DbDep) -> Response:
    """The account the access token belongs to."""
    user = await db.as_actor(
        lambda session, actor: users.get_user(session, actor=actor, user_id=actor.user_id)
    )
    return json_response(to_json(user))
