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
from taskflow_core.operations.tasks import grouping, links, statements
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
NO_SUCH_PROJECT = links.NO_SUCH_PROJECT


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
        if data.project_id is not None or data.labels:
            return await self._create_grouped(caller, data, values)
        async with self._database.writing() as connection:
            if self._database.chains_writes:
                number = await connection.scalar(statements.INSERT_ALLOCATED, values)
            else:
                number = await connection.scalar(statements.ALLOCATE_NUMBERS, values)
                if number is not None:
                    await connection.execute(statements.INSERT_TASK, values | {"number": number})
        if number is None:
            raise await self._why_not_allocated(caller, owner, field="userId")
        return TaskOut.model_validate(values | {"number": number, "labels": []})

    async def _create_grouped(
        self, caller: Caller, data: TaskCreate, values: dict[str, Any]
    ) -> TaskOut:
        """A create that puts the task in a project or gives it labels: one transaction."""
        async with self._database.transaction() as connection:
            number = await connection.scalar(statements.ALLOCATE_NUMBERS, values)
            if number is None:
                await confirm(connection, caller)
                raise InvalidInput(errors=[FieldError("userId", NO_SUCH_OWNER)])
            values["number"] = number
            names = await _link_new_task(connection, values, data, field_prefix="")
        return TaskOut.model_validate(values | {"labels": names})

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
            for index, (row, data) in enumerate(zip(rows, tasks, strict=True)):
                if data.project_id is not None:
                    await links.check_project(
                        connection,
                        row["user_id"],
                        data.project_id,
                        field=f"tasks.{index}.projectId",
                    )
            await connection.execute_many(statements.INSERT_TASK, rows)
            for index, (row, data) in enumerate(zip(rows, tasks, strict=True)):
                row["labels"] = []
                if data.labels:
                    row["labels"] = await _link_labels(
                        connection, row, data.labels, field=f"tasks.{index}.labels"
                    )
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
        changes.pop("labels", None)
        labels = data.labels
        if labels is not None or "project_id" in changes:
            return await self._update_grouped(caller, task_id, changes, labels, if_match=if_match)
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

    async def _update_grouped(
        self,
        caller: Caller,
        task_id: uuid.UUID,
        changes: dict[str, Any],
        labels: list[str] | None,
        *,
        if_match: Collection[int] | None,
    ) -> TaskOut:
        """A patch that moves the task to a project (or out of one) or sets its labels: one
        transaction; a patch that changes nothing still changes nothing."""
        values = self._task_values(caller, task_id, if_match)
        async with self._database.transaction() as connection:
            await confirm(connection, caller)
            current = await connection.row(statements.LOCK_TASK, values)
            if current is None:
                raise NotFound(TASK_NOT_FOUND)
            if if_match is not None and current["version"] not in if_match:
                raise PreconditionFailed()
            owner = current["user_id"]
            if changes.get("project_id") is not None:
                await links.check_project(
                    connection, owner, changes["project_id"], field="projectId"
                )
            relabelled = False
            if labels is not None:
                # The owner's row first: labels created on the way count against the account's
                # limit one writer at a time.
                await _bump(connection, {owner})
                resolved = await links.resolve_labels(
                    connection, owner, labels, now=values["now"], field="labels"
                )
                relabelled = await links.set_labels(
                    connection, task_id, [label_id for label_id, _ in resolved]
                )
            changed = False
            if changes:
                statement = statements.update_statement(
                    tuple(sorted(changes)), status=changes.get("status"), if_match=False
                )
                changed = await connection.row(statement, values | changes) is not None
            if relabelled and not changed:
                await connection.execute(statements.TOUCH_TASKS, values | {"ids": [task_id]})
            if changed and labels is None:
                await _bump(connection, {owner})
            row = await connection.row(statements.VISIBLE_TASK, values)
        return TaskOut.model_validate(row)

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
        if request.action == "update" and {"project_id", "add_labels", "remove_labels"} & set(
            changes
        ):
            return await self._batch_grouped(caller, request, ids, changes, values)
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
        return _batch_result(request, ids, {row["id"] for row in rows})

    async def _batch_grouped(
        self,
        caller: Caller,
        request: BatchRequest,
        ids: list[uuid.UUID],
        changes: dict[str, Any],
        values: dict[str, Any],
    ) -> BatchResult:
        """A batch update that moves tasks to a project or adds or removes labels.

        A project is one owner's: only that owner's tasks (among those the caller may see)
        move to it; the others fail as not found. Labels are each task owner's own.
        """
        add: list[str] = changes.pop("add_labels", None) or []
        remove: list[str] = changes.pop("remove_labels", None) or []
        async with self._database.transaction() as connection:
            actor = await confirm(connection, caller)
            visible = await connection.rows(statements.LOCK_BATCH, values)
            project_id = changes.get("project_id")
            if project_id is not None:
                owner = await connection.scalar(grouping.PROJECT_OWNER, {"project_id": project_id})
                if owner is None or (owner != actor.user_id and not actor.is_admin):
                    raise InvalidInput(errors=[FieldError("changes.projectId", NO_SUCH_PROJECT)])
                visible = [row for row in visible if row["user_id"] == owner]
            by_owner: dict[uuid.UUID, list[uuid.UUID]] = {}
            for row in visible:
                by_owner.setdefault(row["user_id"], []).append(row["id"])
            in_scope = [row["id"] for row in visible]
            updated: set[uuid.UUID] = set()
            if changes and in_scope:
                statement = statements.batch_update_statement(
                    tuple(sorted(changes)), status=changes.get("status")
                )
                before = {row["id"]: row["version"] for row in visible}
                rows = await connection.rows(statement, values | changes | {"ids": in_scope})
                updated = {row["id"] for row in rows if row["version"] != before[row["id"]]}
            # The owners' rows after the tasks', as every task write takes them, and before
            # any label is created, so each account's limit is checked one writer at a time.
            await _bump(connection, set(by_owner))
            relabelled = await _relabel(connection, by_owner, add, remove, now=values["now"])
            # A task whose fields and labels both changed gets one new version, not two.
            relabelled -= updated
            if relabelled:
                await connection.execute(
                    statements.TOUCH_TASKS, values | {"ids": sorted(relabelled)}
                )
        return _batch_result(request, ids, set(in_scope))

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
                # Its project and labels are the old owner's: the task leaves them.
                await connection.execute(grouping.UNLINK_TASK, {"task_id": task_id})
                changes |= {"user_id": new_owner, "number": number, "project_id": None}
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


async def _link_new_task(
    connection: Connection, row: dict[str, Any], data: TaskCreate, *, field_prefix: str
) -> list[str]:
    """Insert a new task in its project with its labels; its label names as stored."""
    if data.project_id is not None:
        await links.check_project(
            connection, row["user_id"], data.project_id, field=f"{field_prefix}projectId"
        )
    await connection.execute(statements.INSERT_TASK, row)
    return await _link_labels(connection, row, data.labels, field=f"{field_prefix}labels")


async def _link_labels(
    connection: Connection, row: dict[str, Any], names: list[str], *, field: str
) -> list[str]:
    if not names:
        return []
    resolved = await links.resolve_labels(
        connection, row["user_id"], names, now=row["created_at"], field=field
    )
    await links.set_labels(connection, row["id"], [label_id for label_id, _ in resolved])
    return [name for _, name in resolved]


async def _relabel(
    connection: Connection,
    by_owner: dict[uuid.UUID, list[uuid.UUID]],
    add: list[str],
    remove: list[str],
    *,
    now: datetime,
) -> set[uuid.UUID]:
    """Add and remove labels on each owner's tasks; the tasks whose labels changed."""
    changed: set[uuid.UUID] = set()
    for owner in sorted(by_owner):
        task_ids = by_owner[owner]
        if remove:
            label_ids = list((await links.owned_labels(connection, owner, remove)).values())
            changed |= await links.remove_labels(connection, task_ids, label_ids)
        if add:
            resolved = await links.resolve_labels(
                connection, owner, add, now=now, field="changes.addLabels"
            )
            changed |= await links.add_labels(
                connection,
                task_ids,
                [label_id for label_id, _ in resolved],
                field="changes.addLabels",
            )
    return changed


def _batch_result(
    request: BatchRequest, ids: list[uuid.UUID], touched: set[uuid.UUID]
) -> BatchResult:
    """Each of `ids` succeeded if the batch reached it (`touched`), else failed as not found."""
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
        "project_id": data.project_id,
    }
