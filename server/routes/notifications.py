"""Notification routes: the caller's inbox."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Response, status

from server.deps import DbDep
from server.query import FromQuery
from server.responses import json_response, problem_responses
from taskflow_core.schemas import (
    MarkReadRequest,
    MarkReadResult,
    NotificationPage,
    NotificationQuery,
)
from taskflow_core.serialization import to_json
from taskflow_core.services import notifications

router = APIRouter(prefix="/notifications", tags=["notifications"])


@router.get("", response_model=NotificationPage, responses=problem_responses(400, 401, 422, 429))
async def list_notifications(
    query: Annotated[NotificationQuery, FromQuery(NotificationQuery)], db: DbDep
) -> Response:
    """Your notifications, newest first; `unread=true` for the unread ones."""
    cursors = db.runtime.cursors
    page = await db.as_actor(
        lambda session, actor: notifications.list_notifications(
            session, actor=actor, query=query, cursors=cursors
        )
    )
    return json_response(to_json(page))


@router.post(
    "/read", response_model=MarkReadResult, responses=problem_responses(400, 401, 413, 422, 429)
)
async def mark_many_read(data: MarkReadRequest, db: DbDep) -> Response:
    """Mark notifications read: those of `ids` that are yours, or with `all: true` every one."""
    marked = await db.as_actor(
        lambda session, actor: notifications.mark_many_read(session, actor=actor, request=data)
    )
    return json_response(to_json(MarkReadResult(marked=marked)))


@router.post(
    "/{notification_id:uuid}/read",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 404, 429),
)
async def mark_read(notification_id: uuid.UUID, db: DbDep) -> Response:
    """Mark a notification read."""
    await db.as_actor(
        lambda session, actor: notifications.mark_read(
            session, actor=actor, notification_id=notification_id
        )
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
