"""Notification routes: the caller's inbox."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Response, status

from server.deps import CallerDep, NotificationsDep
from server.query import FromQuery
from server.responses import json_response, problem_responses
from taskflow_core.schemas import (
    NotificationPage,
    NotificationQuery,
    NotificationsMarked,
    NotificationsRead,
)
from taskflow_core.serialization import to_json

router = APIRouter(prefix="/notifications", tags=["notifications"])


@router.get("", response_model=NotificationPage, responses=problem_responses(400, 401, 422, 429))
async def list_notifications(
    query: Annotated[NotificationQuery, FromQuery(NotificationQuery)],
    caller: CallerDep,
    notifications: NotificationsDep,
) -> Response:
    """Your notifications, newest first; `unread=true` for the unread ones."""
    return json_response(to_json(await notifications.page(caller, query)))


@router.post(
    "/read",
    response_model=NotificationsMarked,
    responses=problem_responses(400, 401, 413, 422, 429),
)
async def mark_many_read(
    data: NotificationsRead, caller: CallerDep, notifications: NotificationsDep
) -> Response:
    """Mark many notifications read at once: `ids`, or `all: true` for every unread one.

    Ids that are not yours, or already read, are passed over.
    """
    marked = await notifications.mark_many_read(caller, data)
    return json_response(to_json(NotificationsMarked(marked=marked)))


@router.post(
    "/{notification_id:uuid}/read",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 404, 429),
)
async def mark_read(
    notification_id: uuid.UUID, caller: CallerDep, notifications: NotificationsDep
) -> Response:
    """Mark a notification read."""
    await notifications.mark_read(caller, notification_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
