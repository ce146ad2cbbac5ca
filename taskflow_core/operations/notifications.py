"""Notifications: the caller's inbox, and the overdue notifications the scan creates (once).

The unique constraint on (owner, task, kind, due date) decides whether a notification exists
(INSERT .. ON CONFLICT DO NOTHING), not a prior SELECT, so scans running at once in several
workers still create exactly one.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Integer, bindparam, exists, select, update
from sqlalchemy.dialects.postgresql import insert as insert_or_ignore

from taskflow_core.domain.clock import utcnow
from taskflow_core.domain.enums import NotificationKind
from taskflow_core.domain.errors import NotFound
from taskflow_core.domain.models import Notification, Task
from taskflow_core.operations.accounts.callers import (
    CALLER_ID,
    caller_is_live,
    caller_values,
    confirm,
)
from taskflow_core.operations.pagination import (
    SortKey,
    by_position,
    page_meta,
    page_statement,
    split_page,
)
from taskflow_core.operations.sql import all_of, one_of, statement_cache, typed
from taskflow_core.operations.tasks.statements import is_overdue
from taskflow_core.schemas import NotificationOut, NotificationPage

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement, Select

    from taskflow_core.adapters.database import Database
    from taskflow_core.domain.actor import Caller
    from taskflow_core.operations.pagination import Cursors
    from taskflow_core.schemas import NotificationQuery, NotificationsRead

NOTIFICATION_NOT_FOUND = "Notification not found"
SCAN_BATCH = 1000

NOTIFICATIONS = Notification.__table__
TASKS = Task.__table__
_NOW = typed("now", NOTIFICATIONS.c.created_at)
_NEWEST_FIRST = by_position(
    [SortKey(NOTIFICATIONS.c.created_at, True, datetime.fromisoformat)],
    NOTIFICATIONS.c.id,
    "notifications:createdAt:desc",
)
_OWN = NOTIFICATIONS.c.user_id == CALLER_ID
_UNREAD = NOTIFICATIONS.c.read_at.is_(None)
NOTIFICATION_ID = typed("notification_id", NOTIFICATIONS.c.id)
OWN_NOTIFICATION = select(NOTIFICATIONS.c.id).where(NOTIFICATIONS.c.id == NOTIFICATION_ID, _OWN)
# Reading one twice keeps the first time.
MARK_ONE_READ = (
    update(Notification)
    .where(NOTIFICATIONS.c.id == NOTIFICATION_ID, _OWN, _UNREAD, caller_is_live())
    .values(read_at=_NOW)
)
MARK_READ = {
    every: update(Notification)
    .where(_OWN, _UNREAD, caller_is_live(), *([] if every else [one_of(NOTIFICATIONS.c.id, "ids")]))
    .values(read_at=_NOW)
    for every in (True, False)
}
TASK_DUE = typed("now", TASKS.c.due_date)
NEWLY_OVERDUE = (
    select(TASKS.c.id)
    .where(
        is_overdue(TASK_DUE),
        ~exists().where(
            NOTIFICATIONS.c.task_id == TASKS.c.id,
            NOTIFICATIONS.c.user_id == TASKS.c.user_id,
            NOTIFICATIONS.c.kind == NotificationKind.TASK_OVERDUE.value,
            NOTIFICATIONS.c.due_date == TASKS.c.due_date,
        ),
    )
    .order_by(TASKS.c.due_date, TASKS.c.id)
    .limit(bindparam("limit", type_=Integer()))
)
OVERDUE_TASK = select(
    TASKS.c.id, TASKS.c.user_id, TASKS.c.number, TASKS.c.title, TASKS.c.due_date
).where(TASKS.c.id == typed("task_id", TASKS.c.id), is_overdue(TASK_DUE))
INSERT_ONCE = insert_or_ignore(Notification).on_conflict_do_nothing().returning(*NOTIFICATIONS.c)


@statement_cache
def _page_statement(*, unread: bool | None, after: bool) -> Select[Any]:
    conditions: list[ColumnElement[bool]] = [NOTIFICATIONS.c.user_id == CALLER_ID]
    if unread is not None:
        conditions.append(_UNREAD if unread else ~_UNREAD)
    after_nulls = (False, False) if after else None
    return page_statement(NOTIFICATIONS, all_of(conditions), _NEWEST_FIRST, after_nulls=after_nulls)


class Notifications:
    """The caller's notifications."""

    def __init__(self, *, database: Database, cursors: Cursors) -> None:
        self._database = database
        self._cursors = cursors

    async def page(self, caller: Caller, query: NotificationQuery) -> NotificationPage:
        """The caller's notifications, newest first; `unread=true` for the unread ones."""
        values: dict[str, Any] = caller_values(caller) | {"limit": query.limit + 1}
        if query.cursor:
            position = _NEWEST_FIRST.read_position(
                self._cursors.decode(query.cursor, scope=_NEWEST_FIRST.name)
            )
            values |= {f"after_{index}": value for index, value in enumerate(position)}
        else:
            values["offset"] = (query.page - 1) * query.limit
        statement = _page_statement(unread=query.unread, after=bool(query.cursor))
        async with self._database.reading() as connection:
            await confirm(connection, caller)
            rows = await connection.rows(statement, values)
        rows, total, more = split_page(rows, limit=query.limit, offset_mode=not query.cursor)
        next_cursor = None
        if more:
            next_cursor = self._cursors.encode(
                scope=_NEWEST_FIRST.name, position=_NEWEST_FIRST.position(rows[-1])
            )
        return NotificationPage(
            data=[NotificationOut.model_validate(row) for row in rows],
            meta=page_meta(
                total=total,
                page=None if query.cursor else query.page,
                limit=query.limit,
                next_cursor=next_cursor,
            ),
        )

    async def mark_read(self, caller: Caller, notification_id: uuid.UUID) -> None:
        """Mark one of the caller's notifications read; NotFound if it is not theirs."""
        values = caller_values(caller) | {"notification_id": notification_id}
        async with self._database.writing() as connection:
            changed = await connection.execute(MARK_ONE_READ, values | {"now": utcnow()})
        if changed:
            return
        async with self._database.reading() as connection:
            await confirm(connection, caller)
            if await connection.row(OWN_NOTIFICATION, values) is None:
                raise NotFound(NOTIFICATION_NOT_FOUND)

    async def mark_many_read(self, caller: Caller, request: NotificationsRead) -> int:
        """Mark `ids` (or every unread one) read, in one statement; how many were unread.

        Ids that are not the caller's, or are read already, are passed over.
        """
        statement = MARK_READ[request.ids is None]
        values = caller_values(caller) | {"ids": request.ids or [], "now": utcnow()}
        async with self._database.writing() as connection:
            marked = await connection.execute(statement, values)
        if not marked:
            async with self._database.reading() as connection:
                await confirm(connection, caller)
        return marked


async def find_newly_overdue(
    database: Database, *, now: datetime, limit: int = SCAN_BATCH
) -> list[uuid.UUID]:
    """Open tasks past their due date that have no notification for that due date yet."""
    async with database.reading() as connection:
        rows = await connection.rows(NEWLY_OVERDUE, {"now": now, "limit": limit})
    return [row["id"] for row in rows]


async def record_overdue(
    database: Database, *, task_id: uuid.UUID, now: datetime
) -> NotificationOut | None:
    """Create a task's overdue notification, once; None if it exists or is not overdue."""
    async with database.transaction() as connection:
        task = await connection.row(OVERDUE_TASK, {"task_id": task_id, "now": now})
        if task is None:
            return None
        due = task["due_date"]
        created = await connection.row(
            INSERT_ONCE,
            {
                "id": uuid.uuid4(),
                "user_id": task["user_id"],
                "task_id": task["id"],
                "kind": NotificationKind.TASK_OVERDUE,
                "due_date": due,
                "message": f'Task #{task["number"]} "{task["title"]}" is overdue '
                f"(due {due:%Y-%m-%d %H:%M} UTC)",
                "created_at": now,
                "read_at": None,
            },
        )
    return None if created is None else NotificationOut.model_validate(created)
