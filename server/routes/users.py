"""User routes: admin management and self-service."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Response, status

from server.deps import CallerDep, UsersDep
from server.query import FromQuery
from server.responses import json_response, problem_responses
from taskflow_core.schemas import UserCreate, UserOut, UserPage, UserQuery, UserUpdate
from taskflow_core.serialization import to_json

router = APIRouter(prefix="/users", tags=["users"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=UserOut,
    responses=problem_responses(400, 401, 403, 409, 413, 422, 429),
)
async def create_user(data: UserCreate, caller: CallerDep, users: UsersDep) -> Response:
    """Create an account with any role (admins only)."""
    user = await users.create(caller, data)
    return json_response(
        to_json(user), status.HTTP_201_CREATED, headers={"Location": f"/users/{user.id}"}
    )


@router.get("", response_model=UserPage, responses=problem_responses(400, 401, 403, 422, 429))
async def list_users(
    query: Annotated[UserQuery, FromQuery(UserQuery)], caller: CallerDep, users: UsersDep
) -> Response:
    """Accounts, newest first, by role and email/name search (admins only)."""
    return json_response(to_json(await users.page(caller, query)))


@router.get("/{user_id:uuid}", response_model=UserOut, responses=problem_responses(401, 404, 429))
async def get_user(user_id: uuid.UUID, caller: CallerDep, users: UsersDep) -> Response:
    """An account: admins see all, users only themselves."""
    return json_response(to_json(await users.get(caller, user_id)))


@router.patch(
    "/{user_id:uuid}",
    response_model=UserOut,
    responses=problem_responses(400, 401, 403, 404, 409, 413, 422, 429),
)
async def update_user(
    user_id: uuid.UUID, data: UserUpdate, caller: CallerDep, users: UsersDep
) -> Response:
    """Change name, email or password (your own email or password needs `currentPassword`,
    and ends your other sessions); admins also role and isActive."""
    return json_response(to_json(await users.update(caller, user_id, data)))


@router.delete(
    "/{user_id:uuid}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 404, 409, 429),
)
async def delete_user(user_id: uuid.UUID, caller: CallerDep, users: UsersDep) -> Response:
    """Delete an account and all its tasks; the last active admin cannot be deleted."""
    await users.delete(caller, user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
