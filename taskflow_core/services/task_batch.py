"""Batch operations on up to 1,000 tasks: a few set-based statements in one transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import delete, select, update

from taskflow_core.clock import utcnow
from taskflow_core.enums import TaskStatus
from taskflow_core.models import Task
from taskflow_core.schemas import BatchFailure, BatchRequest, BatchResult
from taskflow_core.services.task_commands import bump_cache_versions, change_values
from taskflow_core.services.task_queries import visible_to
from taskflow_core.sql import one_of

if TYPE_CHECKING:
    import uuid

    from sqlalchemy.orm import Session

    from taskflow_core.actor import Actor

NOT_FOUND = "not found"


def run_batch(session: Session, *, actor: Actor, request: BatchRequest) -> BatchResult:
    """Complete, delete or update many tasks at once; ids the caller cannot see fail.

    Either every visible task is changed or (on any error) none is.
    """
    ids = list(dict.fromkeys(request.tasks))
    scope = [one_of(session, Task.id, ids), visible_to(actor)]
    now = utcnow()
    if request.action == "delete":
        rows = session.execute(delete(Task).where(*scope).returning(Task.id, Task.user_id))
        touched = {row.id: row.user_id for row in rows}
    elif request.action == "complete":
        # Locks the rows, so what is reported as done is what gets updated.
        rows = session.execute(select(Task.id, Task.user_id).where(*scope).with_for_update())
        touched = {row.id: row.user_id for row in rows}
        session.execute(
            update(Task)
            .where(*scope, Task.status != TaskStatus.COMPLETED)
            .values(change_values({"status": TaskStatus.COMPLETED}, now=now))
            .execution_options(synchronize_session=False)
        )
    elif request.changes is None or not request.changes.changes():
        # An update with nothing to change succeeds for every task it can see.
        rows = session.execute(select(Task.id, Task.user_id).where(*scope))
        return _result(request, ids, {row.id: row.user_id for row in rows})
    else:
        changes = request.changes.changes()
        rows = session.execute(
            update(Task)
            .where(*scope)
            .values(change_values(changes, now=now))
            .returning(Task.id, Task.user_id)
            .execution_options(synchronize_session=False)
        )
        touched = {row.id: row.user_id for row in rows}
    bump_cache_versions(session, touched.values())
    session.commit()
    return _result(request, ids, touched)


def _result(
    request: BatchRequest, ids: list[uuid.UUID], touched: dict[uuid.UUID, uuid.UUID]
) -> BatchResult:
    return BatchResult(
        action=request.action,
        processed=len(ids),
        succeeded=[task_id for task_id in ids if task_id in touched],
        failed=[
            BatchFailure(id=task_id, error=NOT_FOUND) for task_id in ids if task_id not in touched
        ],
    )
