"""Task routes: CRUD with ETags, filtered and paginated lists, bulk creation, batch
operations, stats."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Response, status

from server.deps import CallerDep, TaskReadsDep, TaskWritesDep
from server.query import FromQuery
from server.responses import etag, json_response, parse_if_match, problem_responses
from taskflow_core.schemas import (
    BatchRequest,
    BatchResult,
    StatsQuery,
    TaskBulkCreate,
    TaskCreate,
    TaskList,
    TaskOut,
    TaskPage,
    TaskQuery,
    TaskStats,
    TaskUpdate,
)
from taskflow_core.serialization import to_json

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


@router.get("", response_model=TaskPage, responses=problem_responses(400, 401, 403, 404, 422, 429))
async def list_tasks(
    query: Annotated[TaskQuery, FromQuery(TaskQuery)], caller: CallerDep, tasks: TaskReadsDep
) -> Response:
    """Your tasks, filtered, sorted and paginated (by page or by cursor)."""
    return json_response(await tasks.page(caller, query))


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=TaskOut,
    responses=problem_responses(400, 401, 403, 413, 422, 429),
)
async def create_task(data: TaskCreate, caller: CallerDep, tasks: TaskWritesDep) -> Response:
    """Create a task (admins may set `userId` to create it for someone else)."""
    return _task_response(await tasks.create(caller, data), status.HTTP_201_CREATED)


@router.post(
    "/bulk",
    status_code=status.HTTP_201_CREATED,
    response_model=TaskList,
    responses=problem_responses(400, 401, 403, 413, 422, 429),
)
async def create_tasks(data: TaskBulkCreate, caller: CallerDep, tasks: TaskWritesDep) -> Response:
    """Create up to 1,000 tasks at once, numbered in the order given: all of them or none."""
    created = await tasks.create_many(caller, data.tasks)
    return json_response(to_json(TaskList(data=created)), status.HTTP_201_CREATED)


@router.get(
    "/stats", response_model=TaskStats, responses=problem_responses(400, 401, 403, 422, 429)
)
async def task_stats(
    query: Annotated[StatsQuery, FromQuery(StatsQuery)], caller: CallerDep, tasks: TaskReadsDep
) -> Response:
    """Counts by status and priority, and how many are overdue."""
    return json_response(await tasks.stats(caller, query.user_id))


@router.post(
    "/batch",
    response_model=BatchResult,
    responses=problem_responses(400, 401, 413, 422, 429),
)
async def run_batch(data: BatchRequest, caller: CallerDep, tasks: TaskWritesDep) -> Response:
    """Complete, delete or update up to 1,000 tasks in one transaction."""
    return json_response(to_json(await tasks.batch(caller, data)))


@router.get("/{task_id:uuid}", response_model=TaskOut, responses=problem_responses(401, 404, 429))
async def get_task(task_id: uuid.UUID, caller: CallerDep, tasks: TaskReadsDep) -> Response:
    """One task, with its ETag."""
    body, version = await tasks.task(caller, task_id)
    return json_response(body, headers={"ETag": etag(version)})


@router.patch(
    "/{task_id:uuid}",
    response_model=TaskOut,
    responses=problem_responses(400, 401, 403, 404, 412, 413, 422, 429),
)
async def update_task(
    task_id: uuid.UUID,
    data: TaskUpdate,
    caller: CallerDep,
    tasks: TaskWritesDep,
    if_match: IfMatch = None,
) -> Response:
    """Change some fields; send If-Match to refuse the change if someone else got there first.

    A patch that changes nothing leaves the version (and the ETag) as it was.
    """
    task = await tasks.update(caller, task_id, data, if_match=parse_if_match(if_match))
    return _task_response(task)


@router.delete(
    "/{task_id:uuid}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 404, 412, 429),
)
async def delete_task(
    task_id: uuid.UUID, caller: CallerDep, tasks: TaskWritesDep, if_match: IfMatch = None
) -> Response:
    """Delete a task."""
    await tasks.delete(caller, task_id, if_match=parse_if_match(if_match))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
