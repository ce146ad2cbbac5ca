"""Linking tasks to their owner's projects and labels, inside a write's transaction.

A project must be the task owner's; a label name the owner has no label for creates one
(within the account's limit). Every error names the field it is about.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from taskflow_core.domain.errors import FieldError, InvalidInput
from taskflow_core.domain.models import MAX_LABELS
from taskflow_core.fields import MAX_TASK_LABELS, name_key
from taskflow_core.operations.tasks import grouping

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from taskflow_core.adapters.database import Connection

NO_SUCH_PROJECT = "no such project"
TOO_MANY_LABELS = f"an account has at most {MAX_LABELS} labels"
TOO_MANY_ON_A_TASK = f"a task has at most {MAX_TASK_LABELS} labels"


async def check_project(
    connection: Connection, owner: uuid.UUID, project_id: uuid.UUID, *, field: str
) -> None:
    """Raises InvalidInput naming `field` unless `project_id` is one of `owner`'s projects
    (another owner's project and an unknown one get the same answer)."""
    values = {"owner": owner, "project_id": project_id}
    if await connection.row(grouping.OWNED_PROJECT, values) is None:
        raise InvalidInput(errors=[FieldError(field, NO_SUCH_PROJECT)])


async def owned_labels(
    connection: Connection, owner: uuid.UUID, names: Sequence[str]
) -> dict[str, uuid.UUID]:
    """The ids of `owner`'s labels among `names`, by case-folded name."""
    keys = [name_key(name) for name in names]
    rows = await connection.rows(grouping.OWNED_LABELS, {"owner": owner, "keys": keys})
    return {row["name_key"]: row["id"] for row in rows}


async def resolve_labels(
    connection: Connection,
    owner: uuid.UUID,
    names: Sequence[str],
    *,
    now: datetime,
    field: str,
) -> list[tuple[uuid.UUID, str]]:
    """`owner`'s labels named `names` (id and stored name), in order, creating the missing
    ones; InvalidInput naming `field` past the account's limit."""
    keys = [name_key(name) for name in names]
    rows = await connection.rows(grouping.OWNED_LABELS, {"owner": owner, "keys": keys})
    found = {row["name_key"]: (row["id"], row["name"]) for row in rows}
    missing = [name for name in names if name_key(name) not in found]
    if missing:
        count = await connection.scalar(grouping.COUNT_LABELS, {"owner": owner})
        if count + len(missing) > MAX_LABELS:
            raise InvalidInput(errors=[FieldError(field, TOO_MANY_LABELS)])
        new = [
            {
                "id": uuid.uuid4(),
                "user_id": owner,
                "name": name,
                "name_key": name_key(name),
                "colour": None,
                "created_at": now,
                "updated_at": now,
            }
            for name in missing
        ]
        await connection.execute_many(grouping.INSERT_LABEL, new)
        found |= {row["name_key"]: (row["id"], row["name"]) for row in new}
    return [found[key] for key in keys]


async def set_labels(
    connection: Connection, task_id: uuid.UUID, label_ids: Sequence[uuid.UUID]
) -> bool:
    """Give the task exactly these labels, in this order; whether that changed anything."""
    links = await connection.rows(grouping.TASK_LINKS, {"task_ids": [task_id]})
    if [link["label_id"] for link in links] == list(label_ids):
        return False
    await connection.execute(grouping.UNLINK_TASK, {"task_id": task_id})
    rows = [
        {"task_id": task_id, "label_id": label_id, "position": position}
        for position, label_id in enumerate(label_ids)
    ]
    if rows:
        await connection.execute_many(grouping.LINK, rows)
    return True


async def add_labels(
    connection: Connection,
    task_ids: Sequence[uuid.UUID],
    label_ids: Sequence[uuid.UUID],
    *,
    field: str,
) -> set[uuid.UUID]:
    """Add the labels after each task's own (those it has already stay where they are);
    the tasks this changed. InvalidInput naming `field` when a task would pass 50."""
    links = await connection.rows(grouping.TASK_LINKS, {"task_ids": list(task_ids)})
    current: dict[uuid.UUID, list[tuple[uuid.UUID, int]]] = {task_id: [] for task_id in task_ids}
    for link in links:
        current[link["task_id"]].append((link["label_id"], link["position"]))
    rows: list[dict[str, Any]] = []
    for task_id, own in current.items():
        have = {label_id for label_id, _ in own}
        new = [label_id for label_id in label_ids if label_id not in have]
        if len(own) + len(new) > MAX_TASK_LABELS:
            raise InvalidInput(errors=[FieldError(field, TOO_MANY_ON_A_TASK)])
        start = max((position for _, position in own), default=-1) + 1
        rows += [
            {"task_id": task_id, "label_id": label_id, "position": start + offset}
            for offset, label_id in enumerate(new)
        ]
    if rows:
        await connection.execute_many(grouping.LINK, rows)
    return {row["task_id"] for row in rows}


async def remove_labels(
    connection: Connection, task_ids: Sequence[uuid.UUID], label_ids: Sequence[uuid.UUID]
) -> set[uuid.UUID]:
    """Take the labels off the tasks; the tasks this changed."""
    if not label_ids or not task_ids:
        return set()
    values = {"task_ids": list(task_ids), "label_ids": list(label_ids)}
    return {row["task_id"] for row in await connection.rows(grouping.UNLINK_MANY, values)}
