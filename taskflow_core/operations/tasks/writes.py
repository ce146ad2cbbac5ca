"""The write side of tasks: create (one or many), patch, delete, batch.

Each write confirms its caller inside its own statement (`caller_is_live`) and bumps the
owners' cache versions in the same transaction, so a create, a patch or a delete is one round
trip on PostgreSQL. When a statement changes nothing, the reason (401, 404, 412, or nothing
to change) is worked out afterwards, off the common path.
"""

from __future__ import annotations

import asyncio
import uuid
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from taskflow_core.domain.clock import utcnow
from taskflow_core.domain.enums import TaskStatus
from taskflow_core.domain.errors import (
    FieldError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    PreconditionFailed,
    ServiceUnavailable,
)
from taskflow_core.operations.accounts.callers import caller_values, confirm
from taskflow_core.operations.tasks import statements
from taskflow_core.operations.tasks.reads import TASK_NOT_FOUND
from taskflow_core.schemas import BatchFailure, BatchResult, TaskOut

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Collection
    from datetime import datetime

    from sqlalchemy import Delete, Update

    from taskflow_core.adapters.database import Connection, Database, Row
    from taskflow_core.domain.actor import Caller
    from taskflow_core.schemas import BatchRequest, TaskCreate, TaskUpdate

NO_SUCH_OWNER = "no active user has this id"
OTHERS_TASKS = "Only admins can create tasks for other users"
MOVE_TASKS = "Only admins can move tasks to another user"
BATCH_NOT_FOUND = "not found"


# Batch operations and bulk creates a process runs at once; more wait their turn (503 after
# the database timeout). One over 1,000 tasks takes far more memory and database time than
# any other request, and two on one owner's tasks wait on each other's row locks anyway.
HEAVY_SLOTS = 2
SERVER_BUSY = "Server busy, try again shortly"


class TaskWrites:
    """Every change to tasks, for a caller."""

    def __init__(self, *, database: Database, wait: float) -> None:
        self._database = database
        self._wait = wait
        self.heavy_slots = asyncio.Semaphore(HEAVY_SLOTS)

    async def create(self, caller: Caller, data: TaskCreate) -> TaskOut:
        """Create a task for the caller (or, for an admin, for `userId`)."""
        owner = data.user_id or caller.user_id
        if owner != caller.user_id:
            await self._require_admin(caller, OTHERS_TASKS)
        values = new_task_values(owner, data, now=utcnow()) | caller_values(caller)
        values |= {"owner": owner, "count": 1}
        async with self._database.writing() as connection:
            if self._database.chains_writes:
                number = await connection.scalar(statements.INSERT_ALLOCATED, values)
            else:
                number = await connection.scalar(statements.ALLOCATE_NUMBERS, values)
                if number is not None:
                    await connection.execute(statements.INSERT_TASK, values | {"number": number})
        if number is None:
            raise await self._why_not_allocated(caller, owner, field="userId")
        return TaskOut.model_validate(values | {"number": number})

    async def create_many(self, caller: Caller, tasks: list[TaskCreate]) -> list[TaskOut]:
        """Create every task in `tasks`, numbered in the order given, or none of them."""
        async with self._heavy_turn():
            return await self._create_many(caller, tasks)

    async def _create_many(self, caller: Caller, tasks: list[TaskCreate]) -> list[TaskOut]:
        now = utcnow()
        rows = [new_task_values(data.user_id or caller.user_id, data, now=now) for data in tasks]
        by_owner: dict[uuid.UUID, list[dict[str, Any]]] = {}
        for row in rows:
            by_owner.setdefault(row["user_id"], []).append(row)
        if set(by_owner) - {caller.user_id}:
            await self._require_admin(caller, OTHERS_TASKS)
        async with self._database.transaction() as connection:
            # Owners in id order: two bulk creates lock the same owners in the same order.
            for owner in sorted(by_owner):
                owned = by_owner[owner]
                values = caller_values(caller) | {"owner": owner, "count": len(owned)}
                last = await connection.scalar(statements.ALLOCATE_NUMBERS, values)
                if last is None:
                    # On this connection: the transaction holds it, and another could be
                    # the pool's last.
                    await confirm(connection, caller)
                    index = rows.index(owned[0])
                    raise InvalidInput(errors=[FieldError(f"tasks.{index}.userId", NO_SUCH_OWNER)])
                for offset, row in enumerate(owned):
                    row["number"] = last - len(owned) + 1 + offset
            await connection.execute_many(statements.INSERT_TASK, rows)
        return [TaskOut.model_validate(row) for row in rows]

    async def update(
        self,
        caller: Caller,
        task_id: uuid.UUID,
        data: TaskUpdate,
        *,
        if_match: Collection[int] | None = None,
    ) -> TaskOut:
        """Apply the fields sent; PreconditionFailed when `if_match` is stale.

        A patch that would change nothing changes nothing: not the version, nor `updatedAt`.
        """
        changes = data.changes()
        changes.pop("user_id", None)
        if data.user_id is not None:
            return await self._move(caller, task_id, data.user_id, changes, if_match=if_match)
        if not changes:
            return await self._unchanged(caller, task_id, if_match=if_match)
        statement = statements.update_statement(
            tuple(sorted(changes)), status=changes.get("status"), if_match=if_match is not None
        )
        values = changes | self._task_values(caller, task_id, if_match)
        rows = await self._change(statement, values)
        if not rows:
            return await self._unchanged(caller, task_id, if_match=if_match)
        return TaskOut.model_validate(rows[0])

    async def delete(
        self, caller: Caller, task_id: uuid.UUID, *, if_match: Collection[int] | None = None
    ) -> None:
        """Delete a task; NotFound when absent or not the caller's."""
        statement = statements.delete_statement(if_match=if_match is not None)
        rows = await self._change(statement, self._task_values(caller, task_id, if_match))
        if not rows:
            await self._unchanged(caller, task_id, if_match=if_match)
            # It was there a moment ago, and someone else deleted it since.
            raise NotFound(TASK_NOT_FOUND)

    async def batch(self, caller: Caller, request: BatchRequest) -> BatchResult:
        """Complete, delete or update many tasks at once; ids the caller cannot see fail.

        Either every visible task is changed or (on any error) none is.
        """
        async with self._heavy_turn():
            return await self._batch(caller, request)

    @asynccontextmanager
    async def _heavy_turn(self) -> AsyncIterator[None]:
        try:
            await asyncio.wait_for(self.heavy_slots.acquire(), self._wait)
        except TimeoutError:
            raise ServiceUnavailable(SERVER_BUSY) from None
        try:
            yield
        finally:
            self.heavy_slots.release()

    async def _batch(self, caller: Caller, request: BatchRequest) -> BatchResult:
        ids = list(dict.fromkeys(request.tasks))
        values: dict[str, Any] = caller_values(caller) | {"ids": ids, "now": utcnow()}
        changes = request.changes.changes() if request.changes is not None else {}
        statement: Update | Delete | None
        if request.action == "delete":
            statement = statements.BATCH_DELETE
        elif request.action == "complete":
            statement = statements.BATCH_COMPLETE
        elif changes:
            statement = statements.batch_update_statement(
                tuple(sorted(changes)), status=changes.get("status")
            )
            values |= changes
        else:
            statement = None
        if statement is None:
            # An update with nothing to change succeeds for every task the caller can see.
            async with self._database.reading() as connection:
                rows = await connection.rows(statements.BATCH_VISIBLE, values)
        else:
            rows = await self._change(statement, values)
        if not rows:
            async with self._database.reading() as connection:
                await confirm(connection, caller)
        touched = {row["id"] for row in rows}
        return BatchResult(
            action=request.action,
            processed=len(ids),
            succeeded=[task_id for task_id in ids if task_id in touched],
            failed=[
                BatchFailure(id=task_id, error=BATCH_NOT_FOUND)
                for task_id in ids
                if task_id not in touched
            ],
        )

    async def _change(self, statement: Update | Delete, values: dict[str, Any]) -> list[Row]:
        """Run a task write that returns `user_id`, and retire every touched owner's cached
        reads, atomically."""
        async with self._database.writing() as connection:
            if self._database.chains_writes:
                return await connection.rows(statements.bumping(statement), values)
            rows = await connection.rows(statement, values)
            await _bump(connection, {row["user_id"] for row in rows})
            return rows

    async def _move(
        self,
        caller: Caller,
        task_id: uuid.UUID,
        new_owner: uuid.UUID,
        changes: dict[str, Any],
        *,
        if_match: Collection[int] | None,
    ) -> TaskOut:
        """A patch that gives the task to another owner (admins only): it takes the next
        number of its new owner, and retires both owners' cached reads."""
        async with self._database.transaction() as connection:
            actor = await confirm(connection, caller)
            if not actor.is_admin:
                raise PermissionDenied(MOVE_TASKS)
            values = self._task_values(caller, task_id, if_match)
            current = await connection.row(statements.LOCK_TASK, values)
            if current is None:
                raise NotFound(TASK_NOT_FOUND)
            if if_match is not None and current["version"] not in if_match:
                raise PreconditionFailed()
            if current["user_id"] != new_owner:
                number = await connection.scalar(
                    statements.ALLOCATE_NUMBERS, values | {"owner": new_owner, "count": 1}
                )
                if number is None:
                    raise InvalidInput(errors=[FieldError("userId", NO_SUCH_OWNER)])
                changes |= {"user_id": new_owner, "number": number}
            if not changes:
                return TaskOut.model_validate(await connection.row(statements.VISIBLE_TASK, values))
            statement = statements.update_statement(
                tuple(sorted(changes)), status=changes.get("status"), if_match=False
            )
            row = await connection.row(statement, values | changes)
            if row is None:
                return TaskOut.model_validate(await connection.row(statements.VISIBLE_TASK, values))
            await _bump(connection, {current["user_id"], new_owner})
        return TaskOut.model_validate(row)

    async def _unchanged(
        self, caller: Caller, task_id: uuid.UUID, *, if_match: Collection[int] | None
    ) -> TaskOut:
        """Why a write of one task did nothing: the caller is not live (401), the task is
        not theirs (404), If-Match is stale (412); else the task as it is."""
        async with self._database.reading() as connection:
            await confirm(connection, caller)
            row = await connection.row(
                statements.VISIBLE_TASK, caller_values(caller) | {"task_id": task_id}
            )
        if row is None:
            raise NotFound(TASK_NOT_FOUND)
        if if_match is not None and row["version"] not in if_match:
            raise PreconditionFailed()
        return TaskOut.model_validate(row)

    async def _require_admin(self, caller: Caller, message: str) -> None:
        async with self._database.reading() as connection:
            actor = await confirm(connection, caller)
        if not actor.is_admin:
            raise PermissionDenied(message)

    async def _why_not_allocated(
        self, caller: Caller, owner: uuid.UUID, *, field: str
    ) -> Exception:
        """No number was allocated: the caller is not live (raises 401), or the owner is not
        an active user."""
        async with self._database.reading() as connection:
            await confirm(connection, caller)
        return InvalidInput(errors=[FieldError(field, NO_SUCH_OWNER)])

    @staticmethod
    def _task_values(
        caller: Caller, task_id: uuid.UUID, if_match: Collection[int] | None
    ) -> dict[str, Any]:
        values: dict[str, Any] = caller_values(caller) | {"task_id": task_id, "now": utcnow()}
        if if_match is not None:
            values["if_match"] = sorted(if_match)
        return values


async def _bump(connection: Connection, owners: set[uuid.UUID]) -> None:
    if owners:
        await connection.execute(statements.BUMP_OWNERS, {"owners": sorted(owners)})


def new_task_values(owner: uuid.UUID, data: TaskCreate, *, now: datetime) -> dict[str, Any]:
    """A new task's row for `owner`, all but its `number`."""
    return {
        "id": uuid.uuid4(),
        "user_id": owner,
        "title": data.title,
        "description": data.description,
        "status": data.status,
        "priority": data.priority,
        "due_date": data.due_date,
        "created_at": now,
        "updated_at": now,
        "completed_at": now if data.status is TaskStatus.COMPLETED else None,
        "version": 1,
    }
