"""The read side of tasks: filtered, sorted, paginated lists, single tasks and stats."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, and_, bindparam, case, func, not_, select

from taskflow_core.clock import utcnow
from taskflow_core.enums import TaskPriority, TaskStatus
from taskflow_core.errors import NotFound, PermissionDenied
from taskflow_core.models import Task
from taskflow_core.pagination import KeysetOrder, SortKey, fetch_page
from taskflow_core.schemas import (
    EVERY_OWNER,
    OwnerScope,
    TaskOut,
    TaskPage,
    TaskQuery,
    TaskStats,
)
from taskflow_core.sql import all_of, contains_text

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from sqlalchemy import ColumnElement, Row
    from sqlalchemy.orm import InstrumentedAttribute, Session

    from taskflow_core.actor import Actor
    from taskflow_core.pagination import Cursors

TASK_NOT_FOUND = "Task not found"

# Each sort: its column, and how to read that column's value back from a cursor.
_SORTS: dict[str, tuple[InstrumentedAttribute[Any], Callable[[Any], Any]]] = {
    "createdAt": (Task.created_at, datetime.fromisoformat),
    "dueDate": (Task.due_date, datetime.fromisoformat),
    "priority": (Task.priority, TaskPriority),
    "status": (Task.status, TaskStatus),
    "title": (Task.title, str),
    "number": (Task.number, int),
    # What needs doing first: the earliest due (so the overdue), then the undated; within
    # a due date the highest priority, then the oldest number.
    "urgency": (Task.due_date, datetime.fromisoformat),
}
_URGENCY_TIES = (SortKey(Task.priority, TaskPriority, reverse=True), SortKey(Task.number, int))


def owner_scope(actor: Actor, requested: OwnerScope | None) -> uuid.UUID | None:
    """Whose tasks a read covers: the caller's own, or (admins only) one owner's or all (None)."""
    if requested is None:
        return actor.user_id
    owner = None if requested == EVERY_OWNER else requested
    if owner != actor.user_id and not actor.is_admin:
        raise PermissionDenied("Only admins can read other users' tasks")
    return owner if isinstance(owner, uuid.UUID) else None


def visible_to(actor: Actor) -> ColumnElement[bool]:
    """The tasks an actor may see at all: their own, or every task for an admin."""
    return all_of([] if actor.is_admin else [Task.user_id == actor.user_id])


def list_tasks(session: Session, *, actor: Actor, query: TaskQuery, cursors: Cursors) -> TaskPage:
    """One page of the caller's tasks (or, for admins, anyone's), filtered and sorted."""
    column, parse = _SORTS[query.sort]
    keyset = KeysetOrder(
        column=column,
        id_column=Task.id,
        order=query.order,
        parse=parse,
        nullable=column is Task.due_date,
        then=_URGENCY_TIES if query.sort == "urgency" else (),
    )
    rows, meta = fetch_page(
        session,
        model=Task,
        conditions=_filters(actor, query, now=utcnow()),
        keyset=keyset,
        query=query,
        cursors=cursors,
    )
    return TaskPage(data=[TaskOut.model_validate(task) for task in rows], meta=meta)


def get_task(session: Session, *, actor: Actor, task_id: uuid.UUID) -> TaskOut:
    """One task; NotFound when it does not exist or belongs to someone else."""
    statement, parameters = task_by_id(actor, task_id)
    return task_from_row(session.connection().execute(statement, parameters).one_or_none())


def task_by_id(actor: Actor, task_id: uuid.UUID) -> tuple[Select[Any], dict[str, Any]]:
    """`get_task`'s statement for this caller, and its parameters."""
    if actor.is_admin:
        return ANY_TASK, {"task_id": task_id}
    return OWN_TASK, {"task_id": task_id, "owner": actor.user_id}


def task_from_row(row: Row[Any] | Mapping[str, Any] | None) -> TaskOut:
    """The answer to `task_by_id`'s statement: its row (or mapping of columns), or None."""
    if row is None:
        raise NotFound(TASK_NOT_FOUND)
    return TaskOut.model_validate(row)


def _task_by_id(*, own: bool) -> Select[Any]:
    statement = select(*Task.__table__.columns).where(Task.id == bindparam("task_id"))
    return statement.where(Task.user_id == bindparam("owner")) if own else statement


# Built once, and plain columns: a task read through the ORM spent ~1 ms per call working out
# identities and state for an object nothing changes. The event loop's database runs them too.
OWN_TASK = _task_by_id(own=True)
ANY_TASK = _task_by_id(own=False)


def task_stats(session: Session, *, actor: Actor, user_id: OwnerScope | None = None) -> TaskStats:
    """Counts by status and priority, and how many open tasks are past due, in one query."""
    owner = owner_scope(actor, user_id)
    overdue = case((is_overdue(utcnow()), 1), else_=0)
    statement = select(Task.status, Task.priority, func.count(), func.sum(overdue)).group_by(
        Task.status, Task.priority
    )
    if owner is not None:
        statement = statement.where(Task.user_id == owner)
    by_status = dict.fromkeys(TaskStatus, 0)
    by_priority = dict.fromkeys(TaskPriority, 0)
    overdue_total = 0
    for status, priority, count, overdue_count in session.execute(statement):
        by_status[status] += count
        by_priority[priority] += count
        overdue_total += int(overdue_count or 0)
    return TaskStats(
        total=sum(by_status.values()),
        by_status=by_status,
        by_priority=by_priority,
        overdue=overdue_total,
    )


def _filters(actor: Actor, query: TaskQuery, *, now: datetime) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    owner = owner_scope(actor, query.user_id)
    if owner is not None:
        conditions.append(Task.user_id == owner)
    if query.status:
        conditions.append(Task.status.in_(query.status))
    if query.priority:
        conditions.append(Task.priority.in_(query.priority))
    if query.search:
        conditions.append(contains_text(query.search, Task.title, Task.description))
    if query.due_before is not None:
        conditions.append(Task.due_date < query.due_before)
    if query.due_after is not None:
        conditions.append(Task.due_date > query.due_after)
    if query.overdue is not None:
        conditions.append(is_overdue(now) if query.overdue else not_(is_overdue(now)))
    if query.number:
        conditions.append(Task.number.in_(query.number))
    return conditions


def is_overdue(now: datetime) -> ColumnElement[bool]:
    """Due in the past and not completed."""
    return and_(Task.due_date.isnot(None), Task.due_date < now, Task.status != TaskStatus.COMPLETED)
