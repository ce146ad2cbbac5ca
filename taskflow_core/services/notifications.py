"""Notifications: the caller's inbox, and the idempotent overdue records the scan creates."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import exists, select, update
from sqlalchemy.dialects import postgresql, sqlite

from taskflow_core.clock import utcnow
from taskflow_core.enums import NotificationKind
from taskflow_core.errors import NotFound
from taskflow_core.models import Notification, Task
from taskflow_core.pagination import KeysetOrder, fetch_page
from taskflow_core.schemas import (
    MarkReadRequest,
    NotificationOut,
    NotificationPage,
    NotificationQuery,
)
from taskflow_core.services.task_queries import is_overdue
from taskflow_core.sql import one_of

if TYPE_CHECKING:
    import uuid

    from sqlalchemy import ColumnElement
    from sqlalchemy.orm import Session

    from taskflow_core.actor import Actor
    from taskflow_core.pagination import Cursors

NOTIFICATION_NOT_FOUND = "Notification not found"
SCAN_BATCH = 1000

_NEWEST_FIRST = KeysetOrder(
    column=Notification.created_at,
    id_column=Notification.id,
    order="desc",
    parse=datetime.fromisoformat,
)


def list_notifications(
    session: Session, *, actor: Actor, query: NotificationQuery, cursors: Cursors
) -> NotificationPage:
    """The caller's notifications, newest first; `unread=true` for the unread ones."""
    conditions: list[ColumnElement[bool]] = [Notification.user_id == actor.user_id]
    if query.unread is not None:
        unread = Notification.read_at.is_(None)
        conditions.append(unread if query.unread else ~unread)
    rows, meta = fetch_page(
        session,
        model=Notification,
        conditions=conditions,
        keyset=_NEWEST_FIRST,
        query=query,
        cursors=cursors,
    )
    return NotificationPage(data=[NotificationOut.model_validate(row) for row in rows], meta=meta)


def mark_read(session: Session, *, actor: Actor, notification_id: uuid.UUID) -> None:
    """Mark one of the caller's notifications read (reading twice keeps the first time)."""
    found = session.scalar(
        select(Notification.id).where(
            Notification.id == notification_id, Notification.user_id == actor.user_id
        )
    )
    if found is None:
        raise NotFound(NOTIFICATION_NOT_FOUND)
    session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    session.commit()


def mark_many_read(session: Session, *, actor: Actor, request: MarkReadRequest) -> int:
    """Mark the caller's unread notifications among `request.ids` (or all of them) read, in
    one statement; ids that are not the caller's are left alone. Returns how many."""
    conditions = [Notification.user_id == actor.user_id, Notification.read_at.is_(None)]
    if request.ids is not None:
        conditions.append(one_of(session, Notification.id, list(dict.fromkeys(request.ids))))
    result = session.execute(
        update(Notification)
        .where(*conditions)
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return int(result.rowcount)  # type: ignore[attr-defined]


def find_newly_overdue(
    session: Session, *, now: datetime, limit: int = SCAN_BATCH
) -> list[uuid.UUID]:
    """Open tasks past their due date that have no notification for that due date yet."""
    already_notified = exists().where(
        Notification.task_id == Task.id,
        Notification.user_id == Task.user_id,
        Notification.kind == NotificationKind.TASK_OVERDUE,
        Notification.due_date == Task.due_date,
    )
    return list(
        session.scalars(
            select(Task.id)
            .where(is_overdue(now), ~already_notified)
            .order_by(Task.due_date, Task.id)
            .limit(limit)
        )
    )


def record_overdue(
    session: Session, *, task_id: uuid.UUID, now: datetime
) -> NotificationOut | None:
    """Create the overdue notification for a task, once; None if it exists or is not overdue.

    The unique constraint decides (INSERT .. ON CONFLICT DO NOTHING), not a prior SELECT, so
    scans running at the same time in several workers still create exactly one.
    """
    task = session.scalar(select(Task).where(Task.id == task_id, is_overdue(now)))
    if task is None or task.due_date is None:
        return None
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(Notification)
        .values(
            user_id=task.user_id,
            task_id=task.id,
            kind=NotificationKind.TASK_OVERDUE,
            due_date=task.due_date,
            message=f'Task #{task.number} "{task.title}" is overdue '
            f"(due {task.due_date:%Y-%m-%d %H:%M} UTC)",
            created_at=now,
        )
        .on_conflict_do_nothing()
        .returning(Notification)
    )
    created = session.scalars(
        statement, execution_options={"populate_existing": True}
    ).one_or_none()
    result = None if created is None else NotificationOut.model_validate(created)
    session.commit()
    return result
