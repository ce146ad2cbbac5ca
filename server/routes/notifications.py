"""Notification routes: the caller's inbox."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from server.deps import ActorDep, RuntimeDep, SessionDep
from server.responses import json_response, problem_responses
from taskflow_core.schemas import NotificationPage, NotificationQuery
from taskflow_core.serialization import to_json
from taskflow_core.services import notifications

router = APIRouter(prefix="/notifications", tags=["notifications"])


@router.get("", response_model=NotificationPage, responses=problem_responses(400, 401, 422, 429))
def list_notifications(
    query: Annotated[NotificationQuery, Query()],
    session: SessionDep,
    actor: ActorDep,
    runtime: RuntimeDep,
) -> Response:
    """Your notifications, newest first; `unread=true` for the unread ones."""
    page = notifications.list_notifications(
        session, actor=actor, query=query, cursors=runtime.cursors
    )
    return json_response(to_json(page))


@router.post(
    "/{notification_id:uuid}/read",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 404, 429),
)
def mark_read(notification_id: uuid.UUID, session: SessionDep, actor: ActorDep) -> Response:
    """Mark a notification read."""
    notifications.mark_read(session, actor=actor, notification_id=notification_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
