"""The read side of tasks: pages, one task and stats, as JSON bytes, cached per owner.

Each read confirms the caller (one statement, which also yields their cache version), then
answers from the cache or runs its one statement: a page and its total come together.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from taskflow_core.domain.clock import utcnow
from taskflow_core.domain.enums import TaskPriority, TaskStatus
from taskflow_core.domain.errors import NotFound
from taskflow_core.fields import name_key
from taskflow_core.operations.accounts.callers import confirm, owner_scope
from taskflow_core.operations.pagination import page_meta, split_page
from taskflow_core.operations.read_through import ReadThrough
from taskflow_core.operations.sql import is_plain, trigram_query
from taskflow_core.operations.tasks import grouping, statements
from taskflow_core.operations.tasks.statements import ListShape
from taskflow_core.schemas import (
    LabelCount,
    ProjectCount,
    TaskOut,
    TaskStats,
    row_to_wire,
)
from taskflow_core.serialization import to_json

if TYPE_CHECKING:
    from datetime import datetime

    from taskflow_core.adapters.database import Database
    from taskflow_core.domain.actor import Actor, Caller
    from taskflow_core.operations.pagination import Cursors
    from taskflow_core.schemas import OwnerScope, TaskQuery

TASK_NOT_FOUND = "Task not found"
PROJECT_NOT_FOUND = "Project not found"
LABEL_NOT_FOUND = "Label not found"
TASK_WIRE = row_to_wire(TaskOut)


class TaskReads:
    """Pages, single tasks and stats, for a caller."""

    def __init__(self, *, database: Database, cache: ReadThrough, cursors: Cursors) -> None:
        self._database = database
        self._cache = cache
        self._cursors = cursors

    async def page(self, caller: Caller, query: TaskQuery) -> bytes:
        """`GET /tasks`: one page of the caller's tasks (or, for admins, anyone's)."""
        actor = await self._confirm(caller)
        owner = owner_scope(actor, query.user_id, "tasks")
        key = (
            ReadThrough.key(actor, "list", query.model_dump_json())
            if owner == actor.user_id
            else None
        )
        return await self._cache.get(key, lambda: self._load_page(owner, query))

    async def task(self, caller: Caller, task_id: uuid.UUID) -> tuple[bytes, int]:
        """`GET /tasks/{id}`: one task as JSON, with its version (for the ETag)."""
        actor = await self._confirm(caller)
        key = ReadThrough.key(actor, "task", str(task_id))
        if (entry := await self._cache.peek(key)) is not None:
            version, _, body = entry.partition(b"\n")
            return body, int(version)
        statement, values = (
            (statements.ANY_TASK, {"task_id": task_id})
            if actor.is_admin
            else (statements.OWN_TASK, {"task_id": task_id, "owner": actor.user_id})
        )
        async with self._database.reading() as connection:
            row = await connection.row(statement, values)
        if row is None:
            raise NotFound(TASK_NOT_FOUND)
        task = TaskOut.model_validate(row)
        body = to_json(task)
        # Only the caller's own tasks: an admin's view of another owner's task would not be
        # retired by that owner's writes.
        if task.user_id == actor.user_id:
            await self._cache.store(key, b"%d\n%b" % (task.version, body))
        return body, task.version

    async def stats(self, caller: Caller, user_id: OwnerScope | None) -> bytes:
        """`GET /tasks/stats`: counts by status and priority, and how many are overdue."""
        actor = await self._confirm(caller)
        owner = owner_scope(actor, user_id, "tasks")
        key = ReadThrough.key(actor, "stats") if owner == actor.user_id else None
        return await self._cache.get(key, lambda: self._load_stats(owner))

    async def _confirm(self, caller: Caller) -> Actor:
        async with self._database.reading() as connection:
            return await confirm(connection, caller)

    async def _load_page(self, owner: uuid.UUID | None, query: TaskQuery) -> bytes:
        order = statements.keyset(query.sort, query.descending)
        position = None
        if query.cursor:
            position = order.read_position(self._cursors.decode(query.cursor, scope=order.name))
        shape, values = page_request(
            owner, query, position, text_index=self._database.searches_text_index
        )
        after_nulls = shape.after_nulls
        async with self._database.reading() as connection:
            rows = await connection.rows(statements.page_statement(shape), values)
        rows, total, more = split_page(rows, limit=query.limit, offset_mode=after_nulls is None)
        if not rows:
            await self._named_ones_exist(owner, query, values)
        next_cursor = None
        if more:
            next_cursor = self._cursors.encode(scope=order.name, position=order.position(rows[-1]))
        estimate = False
        if total is not None and total > statements.COUNT_CAP and statements.capped(shape):
            # The count stopped: more match than it counted, and a last page knows how many.
            seen = (query.page - 1) * query.limit + len(rows)
            if rows and not more:
                total = seen
            else:
                estimate = True
                total = max(total, seen + int(more))
        meta = page_meta(
            total=total,
            page=None if query.cursor else query.page,
            limit=query.limit,
            next_cursor=next_cursor,
            total_is_estimate=estimate,
        )
        # TaskPage's document, straight from the rows (see `row_to_wire`).
        return to_json({"data": [TASK_WIRE(row) for row in rows], "meta": meta.model_dump()})

    async def _named_ones_exist(
        self, owner: uuid.UUID | None, query: TaskQuery, values: dict[str, Any]
    ) -> None:
        """An empty page for a project or labels the owner does not have is a 404 (off the
        common path: only empty pages ask)."""
        keys = {name_key(name) for name in (*query.label, *query.any_label, *query.not_label)}
        if query.project is None and not keys:
            return
        mine = owner is not None
        async with self._database.reading() as connection:
            if query.project is not None:
                statement = grouping.named_project(owner=mine)
                if await connection.row(statement, values) is None:
                    raise NotFound(PROJECT_NOT_FOUND)
            if keys:
                statement = grouping.named_labels(owner=mine)
                found = await connection.rows(statement, {"owner": owner, "keys": sorted(keys)})
                if len(found) < len(keys):
                    raise NotFound(LABEL_NOT_FOUND)

    async def _load_stats(self, owner: uuid.UUID | None) -> bytes:
        statement = statements.stats_statement(owner=owner is not None)
        values = {"owner": owner} | _today(utcnow())
        async with self._database.reading() as connection:
            rows = await connection.rows(statement, values)
        by_status = dict.fromkeys(TaskStatus, 0)
        by_priority = dict.fromkeys(TaskPriority, 0)
        overdue = 0
        by_project: list[ProjectCount] = []
        by_label: list[LabelCount] = []
        for row in rows:
            if row["kind"] == "p":
                by_project.append(ProjectCount.model_validate(row))
            elif row["kind"] == "l":
                by_label.append(LabelCount.model_validate(row))
            elif row["kind"] == "o":
                overdue = int(row["count"] or 0)
            else:
                by_status[row["status"]] += int(row["count"])
                by_priority[row["priority"]] += int(row["count"])
        # Projects by name, no project last; labels by name.
        by_project.sort(key=lambda item: (item.name is None, item.name or "", str(item.project_id)))
        by_label.sort(key=lambda item: item.name)
        stats = TaskStats(
            total=sum(by_status.values()),
            by_status=by_status,
            by_priority=by_priority,
            overdue=overdue,
            by_project=by_project,
            by_label=by_label,
        )
        return to_json(stats)


def page_request(
    owner: uuid.UUID | None,
    query: TaskQuery,
    position: list[Any] | None,
    *,
    text_index: bool,
) -> tuple[ListShape, dict[str, Any]]:
    """The shape of a list's statement and the values it binds (`position`: a cursor's,
    opened; `text_index`: the database looks a search up in a text index of its own)."""
    search_index = trigram_query(query.search) if query.search and text_index else None
    values: dict[str, Any] = {
        "owner": owner,
        "status": query.status,
        "priority": query.priority,
        "search": query.search,
        "search_index": search_index,
        "due_before": query.due_before,
        "due_after": query.due_after,
        "now": utcnow(),
        "numbers": query.number,
        "limit": query.limit + 1,
    } | _grouping_values(query)
    after_nulls = None
    if position is not None:
        values |= {f"after_{index}": value for index, value in enumerate(position)}
        after_nulls = tuple(value is None for value in position)
    else:
        values["offset"] = (query.page - 1) * query.limit
    shape = ListShape(
        owner=owner is not None,
        status=bool(query.status),
        priority=bool(query.priority),
        search=bool(query.search),
        search_indexed=search_index is not None,
        search_plain=bool(query.search) and is_plain(query.search or ""),
        due_before=query.due_before is not None,
        due_after=query.due_after is not None,
        overdue=query.overdue,
        numbers=bool(query.number),
        project=None if query.project is None else query.include_subprojects,
        no_project=query.no_project,
        every_label=bool(query.label),
        any_label=bool(query.any_label),
        not_label=bool(query.not_label),
        sort=query.sort,
        descending=query.descending,
        after_nulls=after_nulls,
    )
    return shape, values


def _today(now: datetime) -> dict[str, Any]:
    """What the overdue count reads the due-day tallies by: now, today's UTC day and its
    first instant."""
    return {
        "now": now,
        "today": now.strftime("%Y-%m-%d"),
        "day_start": now.replace(hour=0, minute=0, second=0, microsecond=0),
    }


def _grouping_values(query: TaskQuery) -> dict[str, Any]:
    """The values of the project and label filters: a project by id or by name (both are
    tried, so a project may be named like an id), labels by case-folded name."""
    project_id = None
    if query.project is not None:
        try:
            project_id = uuid.UUID(query.project)
        except ValueError:
            project_id = None
    every = list(dict.fromkeys(name_key(name) for name in query.label))
    return {
        "project_id": project_id,
        "project_key": None if query.project is None else name_key(query.project),
        "labels": every,
        "label_count": len(every),
        "any_labels": [name_key(name) for name in query.any_label],
        "not_labels": [name_key(name) for name in query.not_label],
    }
