"""Labels: list (with task counts), create, rename, recolour, delete.

A rename or a delete changes how the tasks that carry the label read: they get a new version,
and the owner's cache version is bumped in the same transaction. Tasks are written before
the owner's row, the order every task write takes them in.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from taskflow_core.domain.clock import utcnow
from taskflow_core.domain.errors import Conflict, FieldError, InvalidInput, NotFound
from taskflow_core.domain.models import MAX_LABELS
from taskflow_core.fields import name_key
from taskflow_core.operations.accounts.callers import caller_values, confirm, owner_scope
from taskflow_core.operations.projects import statements
from taskflow_core.operations.read_through import ReadThrough
from taskflow_core.operations.tasks.grouping import COUNT_LABELS
from taskflow_core.operations.tasks.statements import BUMP_OWNERS
from taskflow_core.schemas import LabelList, LabelOut
from taskflow_core.serialization import to_json

if TYPE_CHECKING:
    from taskflow_core.adapters.database import Connection, Database
    from taskflow_core.domain.actor import Caller
    from taskflow_core.schemas import LabelCreate, LabelQuery, LabelUpdate

LABEL_NOT_FOUND = "Label not found"
NAME_TAKEN = "you have a label with this name already (names differ in more than case)"
TOO_MANY = f"an account has at most {MAX_LABELS} labels"


class Labels:
    """Every operation on labels, for a caller (admins reach anyone's by id)."""

    def __init__(self, *, database: Database, cache: ReadThrough) -> None:
        self._database = database
        self._cache = cache

    async def list(self, caller: Caller, query: LabelQuery) -> bytes:
        """`GET /labels`: the caller's labels (an admin may name another owner's) by name,
        with open and overdue task counts."""
        async with self._database.reading() as connection:
            actor = await confirm(connection, caller)
        owner = owner_scope(actor, query.user_id, "labels") or actor.user_id
        key = ReadThrough.key(actor, "labels") if owner == actor.user_id else None
        return await self._cache.get(key, lambda: self._load(owner))

    async def _load(self, owner: uuid.UUID) -> bytes:
        async with self._database.reading() as connection:
            rows = await connection.rows(statements.LIST_LABELS, {"owner": owner, "now": utcnow()})
        return to_json(LabelList(data=[LabelOut.model_validate(row) for row in rows]))

    async def get(self, caller: Caller, label_id: uuid.UUID) -> LabelOut:
        """One label; NotFound when absent or another user's (admins see all)."""
        async with self._database.reading() as connection:
            await confirm(connection, caller)
            return await _label(connection, caller, label_id)

    async def create(self, caller: Caller, data: LabelCreate) -> LabelOut:
        """A new label of the caller's (tasks also create labels by naming them)."""
        now = utcnow()
        async with self._database.transaction() as connection:
            await confirm(connection, caller)
            owner = caller.user_id
            await connection.execute(BUMP_OWNERS, {"owners": [owner]})
            if await connection.scalar(COUNT_LABELS, {"owner": owner}) >= MAX_LABELS:
                raise InvalidInput(TOO_MANY, errors=[FieldError("name", TOO_MANY)])
            await _name_is_free(connection, owner, data.name)
            row = {
                "id": uuid.uuid4(),
                "user_id": owner,
                "name": data.name,
                "name_key": name_key(data.name),
                "colour": data.colour,
                "created_at": now,
                "updated_at": now,
            }
            await connection.execute(statements.INSERT_LABEL, row)
        return LabelOut.model_validate(row | {"open_tasks": 0, "overdue_tasks": 0})

    async def update(self, caller: Caller, label_id: uuid.UUID, data: LabelUpdate) -> LabelOut:
        """Rename or recolour; a change that changes nothing is fine."""
        changes = data.changes()
        now = utcnow()
        async with self._database.transaction() as connection:
            await confirm(connection, caller)
            current = await _label(connection, caller, label_id)
            if not changes:
                return current
            values: dict[str, Any] = {"label_id": label_id, "now": now}
            if data.name is not None and data.name != current.name:
                changes["name_key"] = name_key(data.name)
                if changes["name_key"] != name_key(current.name):
                    await _name_is_free(connection, current.user_id, data.name)
                await connection.execute(statements.TOUCH_LABELLED, values)
            await connection.execute(BUMP_OWNERS, {"owners": [current.user_id]})
            await connection.execute(
                statements.update_label(tuple(sorted(changes))), values | changes
            )
            return await _label(connection, caller, label_id)

    async def delete(self, caller: Caller, label_id: uuid.UUID) -> None:
        """Delete a label: it comes off every task that had it (the tasks stay)."""
        async with self._database.transaction() as connection:
            await confirm(connection, caller)
            label = await _label(connection, caller, label_id)
            values = {"label_id": label_id, "now": utcnow()}
            await connection.execute(statements.TOUCH_LABELLED, values)
            await connection.execute(BUMP_OWNERS, {"owners": [label.user_id]})
            await connection.execute(statements.DELETE_LABEL, values)


async def _label(connection: Connection, caller: Caller, label_id: uuid.UUID) -> LabelOut:
    values = caller_values(caller) | {"label_id": label_id, "now": utcnow()}
    row = await connection.row(statements.LABEL, values)
    if row is None:
        raise NotFound(LABEL_NOT_FOUND)
    return LabelOut.model_validate(row)


async def _name_is_free(connection: Connection, owner: uuid.UUID, name: str) -> None:
    values = {"owner": owner, "name_key": name_key(name)}
    if await connection.row(statements.LABEL_NAMED, values) is not None:
        raise Conflict(NAME_TAKEN, errors=[FieldError("name", NAME_TAKEN)])
