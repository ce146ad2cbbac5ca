"""User routes: admin management and self-service."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Response, status

from server.deps import DbDep
from server.query import FromQuery
from server.responses import json_response, problem_responses
from taskflow_core.schemas import UserCreate, UserOut, UserPage, UserQuery, UserUpdate
from taskflow_core.serialization import to_json
from taskflow_core.services import users

router = APIRouter(prefix="/users", tags=["users"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=UserOut,
    responses=problem_responses(400, 401, 403, 409, 413, 422, 429),
)
async def create_user(data: UserCreate, db: DbDep) -> Response:
    """Create an account with any role (admins only)."""
    passwords = db.runtime.security.passwords
    user = await db.as_actor(
        lambda session, actor: users.create_user(
            session, actor=actor, passwords=passwords, data=data
        )
    )
    return json_response(
        to_json(user), status.HTTP_201_CREATED, headers={"Location": f"/users/{user.id}"}
    )


@router.get("", response_model=UserPage, responses=problem_responses(400, 401, 403, 422, 429))
async def list_users(query: Annotated[UserQuery, FromQuery(UserQuery)], db: DbDep) -> Response:
    """Accounts, newest first, by role and email/name search (admins only)."""
    cursors = db.runtime.cursors
    page = await db.as_actor(
        lambda session, actor: users.list_users(session, actor=actor, query=query, cursors=cursors)
    )
    return json_response(to_json(page))


@router.get("/{user_id:uuid}", response_model=UserOut, responses=problem_responses(401, 404, 429))
async def get_user(user_id: uuid.UUID, db: DbDep) -> Response:
    """An account: admins see all, users only themselves."""
    user = await db.as_actor(
        lambda session, actor: users.get_user(session, actor=actor, user_id=user_id)
    )
    return json_response(to_json(user))


@router.patch(
    "/{user_id:uuid}",
    response_model=UserOut,
    responses=problem_responses(400, 401, 403, 404, 409, 413, 422, 429),
)
async def update_user(user_id: uuid.UUID, data: UserUpdate, db: DbDep) -> Response:
    """Change name, email or password (with currentPassword); admins also role and isActive."""
    passwords = db.runtime.security.passwords
    user = await db.as_actor(
        lambda session, actor: users.update_user(
            session, actor=actor, passwords=passwords, user_id=user_id, data=data
        )
    )
    return json_response(to_json(user))


@router.delete(
    "/{user_id:uuid}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 404, 409, 429),
)
async def delete_user(user_id: uuid.UUID, db: DbDep) -> Response:
    """Delete an account and all its tasks; the last active admin cannot be deleted."""
    await db.as_actor(
        lambda session, actor: users.delete_user(session, actor=actor, user_id=user_id)
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
