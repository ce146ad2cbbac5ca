"""Task routes: CRUD with ETags, filtered and paginated lists, batch operations, stats."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Response, status

from server.deps import DbDep
from server.query import FromQuery
from server.responses import etag, json_response, parse_if_match, problem_responses
from taskflow_core.schemas import (
    BatchRequest,
    BatchResult,
    BulkCreateRequest,
    BulkCreateResult,
    StatsQuery,
    TaskCreate,
    TaskOut,
    TaskPage,
    TaskQuery,
    TaskStats,
    TaskUpdate,
)
from taskflow_core.serialization import to_json
from taskflow_core.services import task_batch, task_commands

router = APIRouter(prefix="/tasks", tags=["tasks"])

IfMatch = Annotated[
    str | None,
    Header(description="An ETag from an earlier response; 412 if the task changed since."),
]


def _task_response(task: TaskOut, status_code: int = status.HTTP_200_OK) -> Response:
    headers = {"ETag": etag(task.version)}
    if status_code == status.HTTP_201_CREATED:
        headers["Location"] = f"/tasks/{task.id}"
    return json_response(to_json(task), status_code, headers=headers)


@router.get("", response_model=TaskPage, responses=problem_responses(400, 401, 403, 422, 429))
async def list_tasks(query: Annotated[TaskQuery, FromQuery(TaskQuery)], db: DbDep) -> Response:
    """Your tasks, filtered, sorted and paginated (by page or by cursor)."""
    reads = db.runtime.task_reads
    page = await db.read_as_actor(
        lambda actor: reads.cached_page(actor=actor, query=query),
        lambda session, actor, checked: reads.page(
            session, actor=actor, query=query, checked=checked
        ),
    )
    return json_response(page)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=TaskOut,
    responses=problem_responses(400, 401, 403, 413, 422, 429),
)
async def create_task(data: TaskCreate, db: DbDep) -> Response:
    """Create a task (admins may set `userId` to create it for someone else)."""
    task = await db.write_as_caller(
        lambda loop_db, claims: loop_db.create_task(claims=claims, data=data),
        lambda session, actor: task_commands.create_task(session, actor=actor, data=data),
    )
    return _task_response(task, status.HTTP_201_CREATED)


@router.get(
    "/stats", response_model=TaskStats, responses=problem_responses(400, 401, 403, 422, 429)
)
async def task_stats(query: Annotated[StatsQuery, FromQuery(StatsQuery)], db: DbDep) -> Response:
    """Counts by status and priority, and how many are overdue."""
    reads = db.runtime.task_reads
    stats = await db.read_as_actor(
        lambda actor: reads.cached_stats(actor=actor, user_id=query.user_id),
        lambda session, actor, checked: reads.stats(
            session, actor=actor, user_id=query.user_id, checked=checked
        ),
    )
    return json_response(stats)


@router.post(
    "/batch",
    response_model=BatchResult,
    responses=problem_responses(400, 401, 413, 422, 429),
)
async def run_batch(data: BatchRequest, db: DbDep) -> Response:
    """Complete, delete or update up to 1,000 tasks in one transaction."""
    result = await db.batch_as_actor(
        lambda session, actor: task_batch.run_batch(session, actor=actor, request=data)
    )
    return json_response(to_json(result))


@router.post(
    "/bulk",
    status_code=status.HTTP_201_CREATED,
    response_model=BulkCreateResult,
    responses=problem_responses(400, 401, 403, 413, 422, 429),
)
async def create_tasks(data: BulkCreateRequest, db: DbDep) -> Response:
    """Create up to 1,000 tasks in one transaction: all of them, or none on any error."""
    created = await db.batch_as_actor(
        lambda session, actor: task_commands.create_tasks(session, actor=actor, data=data)
    )
    return json_response(to_json(BulkCreateResult(data=created)), status.HTTP_201_CREATED)


@router.get("/{task_id:uuid}", response_model=TaskOut, responses=problem_responses(401, 404, 429))
async def get_task(task_id: uuid.UUID, db: DbDep) -> Response:
    """One task, with its ETag."""
    reads = db.runtime.task_reads
    body, version = await db.read_as_actor(
        lambda actor: reads.cached_task(actor=actor, task_id=task_id),
        lambda session, actor, checked: reads.task(
            session, actor=actor, task_id=task_id, checked=checked
        ),
        miss_on_loop=lambda loop_db, actor: reads.loaded_task(
            loop_db, actor=actor, task_id=task_id
        ),
    )
    return json_response(body, headers={"ETag": etag(version)})


@router.patch(
    "/{task_id:uuid}",
    response_model=TaskOut,
    responses=problem_responses(400, 401, 403, 404, 412, 413, 422, 429),
)
async def update_task(
    task_id: uuid.UUID, data: TaskUpdate, db: DbDep, if_match: IfMatch = None
) -> Response:
    """Change some fields; send If-Match to refuse the change if someone else got there first."""
    expected = parse_if_match(if_match)
    task = await db.write_as_caller(
        lambda loop_db, claims: loop_db.update_own_task(
            claims=claims, task_id=task_id, data=data, if_match=expected
        ),
        lambda session, actor: task_commands.update_task(
            session, actor=actor, task_id=task_id, data=data, if_match=expected
        ),
    )
    return _task_response(task)


@router.delete(
    "/{task_id:uuid}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 404, 412, 429),
)
async def delete_task(task_id: uuid.UUID, db: DbDep, if_match: IfMatch = None) -> Response:
    """Delete a task."""
    expected = parse_if_match(if_match)
    await db.as_actor(
        lambda session, actor: task_commands.delete_task(
            session, actor=actor, task_id=task_id, if_match=expected
        )
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
